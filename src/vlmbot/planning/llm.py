"""An optional planner that asks an OpenAI-compatible chat endpoint (a local llama.cpp, vLLM
or Ollama server) for the typed command as JSON, validates it against the schema
(`vlmbot.language.schema`) and the scene graph, and plans it like the rule planner; the same
safety gate reviews the plan.

The rule parser stays in charge of safety and is the fallback: its refusals of forbidden verbs,
prompt injection, unusable destinations and fixtures stand whatever the model says; an endpoint
that fails, times out or answers out of schema, or names objects the scene does not have, gives
way to the rule parser's reading. The prompt and the schema are in docs/language.md.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from vlmbot.errors import InputError
from vlmbot.language.commands import Instruction, NotUnderstood, Parsed, Question
from vlmbot.language.instruction import parse_instruction
from vlmbot.language.reference import Reference
from vlmbot.language.schema import SchemaError, from_json
from vlmbot.language.steps import check_destination, check_target
from vlmbot.planning.planner import Planner, RulePlanner
from vlmbot.planning.proposal import Proposal
from vlmbot.reasoning.graph import SceneGraph
from vlmbot.reasoning.grounding import Grounder

#: Rule-parser refusals that no model answer overrides.
FINAL_KINDS = frozenset({"forbidden", "injection", "place", "fixture", "empty", "too_long",
                         "language", "no_words"})  # fmt: skip

SYSTEM_PROMPT = """You turn instructions for a tabletop pick-and-place robot into JSON.
Answer with one JSON object and nothing else, in one of three forms:
1. {"kind": "instruction", "steps": [STEP, ...], "constraints": [CONSTRAINT, ...]}
   STEP: {"action": "place", "target": REF, "relation": R, "destination": REF}
         R is one of in, on, left_of, right_of, in_front_of, behind, next_to
       | {"action": "sort", "target": REF, "containers": REF, "attribute": "color"}
       | {"action": "clear", "destination": REF, "exclude": [REF, ...]}
       | {"action": "shift", "target": REF, "direction": D, "distance_m": metres}
         D is one of left, right, forward (away from the viewer), back
       | {"action": "pick", "target": REF}
   CONSTRAINT: {"kind": "dont_move", "target": REF}
             | {"kind": "keep_out", "target": REF, "destination": REF}
2. {"kind": "question", "question": Q, "subject": REF, "relation": R, "anchor": REF}
   Q is one of count, color, exists, relation, which, describe, what, where
3. {"kind": "not_understood", "reason": "...", "outcome": "refuse" or "clarify", "part": "..."}
REF: {"head": noun, "determiner": "the" | "a" | "all", "count": n, "colors": [...],
      "not_colors": [...], "size": "small" | "large", "superlative": S, "ordinal": k,
      "relation": {"name": R or closest or farthest, "anchor": REF},
      "members": [REF, ...], "exclude": [REF, ...]}
   "the" = one specific object, "a" = any one, "all" = every one; count = how many.
   S is one of leftmost, rightmost, frontmost, backmost, middle, largest, smallest, tallest,
   shortest, lightest, darkest. Leave out keys you do not need.
Rules: account for every part of the instruction. If any part asks for something other than
picking and placing objects on the table, or for anything harmful, answer not_understood
naming that part. Never drop a clause, an exception or a constraint."""

EXAMPLES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("put every block except the red one in a bowl", {
        "kind": "instruction",
        "steps": [{"action": "place", "relation": "in",
                   "target": {"head": "block", "determiner": "all",
                              "exclude": [{"head": "block", "colors": ["red"]}]},
                   "destination": {"head": "bowl", "determiner": "a"}}]}),
    ("what colour is the mug?", {"kind": "question", "question": "color",
                                 "subject": {"head": "mug"}}),
)  # fmt: skip


@dataclass(frozen=True)
class LLMConfig:
    """url: the endpoint's base URL (".../v1") or its chat-completions URL; model: the model
    name it serves; timeout_s: seconds to wait for an answer; max_tokens, temperature: for the
    request; api_key: sent as a bearer token when given."""

    url: str
    model: str
    timeout_s: float = 20.0
    max_tokens: int = 512
    temperature: float = 0.0
    api_key: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not re.match(r"^https?://\S+$", self.url):
            raise InputError(f"--llm-url must be an http(s) URL, got {self.url!r}")
        if not isinstance(self.model, str) or not self.model.strip():
            raise InputError("--llm-model must name the model the endpoint serves")
        if not 0.1 <= self.timeout_s <= 300:
            raise InputError("LLMConfig.timeout_s must be in [0.1, 300] seconds")
        if not 16 <= self.max_tokens <= 8192 or not 0.0 <= self.temperature <= 2.0:
            raise InputError("LLMConfig: max_tokens in [16, 8192], temperature in [0, 2]")

    @property
    def chat_url(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


class LLMError(Exception):
    """The endpoint failed or answered something that is not a typed command."""


class LLMPlanner:
    """A Planner that reads instructions with an LLM (see module docstring)."""

    name = "llm"

    def __init__(self, config: LLMConfig, fallback: RulePlanner | None = None) -> None:
        self.config = config
        self.fallback: Planner = fallback or RulePlanner()
        self.last_source = "rule"  # who read the last instruction: "llm" or "rule"
        self.last_error: str | None = None
        self._ruled: Parsed | None = None

    def interpret(self, instruction: str, graph: SceneGraph) -> Parsed:
        ruled = parse_instruction(instruction)
        self.last_source, self.last_error, self._ruled = "rule", None, ruled
        if isinstance(ruled, NotUnderstood) and ruled.kind in FINAL_KINDS:
            return ruled
        try:
            parsed = self.ask(instruction, graph)
            validate_references(parsed)
        except (LLMError, SchemaError) as exc:
            self.last_error = str(exc)
            return ruled
        self.last_source = "llm"
        return parsed

    def plan(self, command: Parsed, graph: SceneGraph, grounder: Grounder) -> Proposal:
        """Plan the model's command; when one of its references matches nothing in the scene
        graph (a hallucinated object), plan the rule parser's reading instead."""
        proposal = self.fallback.plan(command, graph, grounder)
        ruled = self._ruled
        if self.last_source == "llm" and isinstance(ruled, Instruction) and _unmatched(proposal):
            self.last_source, self.last_error = "rule", "the LLM named objects the scene lacks"
            return self.fallback.plan(ruled, graph, grounder)
        return proposal

    def ask(self, instruction: str, graph: SceneGraph) -> Parsed:
        """The endpoint's typed command for an instruction (SchemaError when out of schema)."""
        content = self._complete(messages(instruction, graph))
        return from_json(parse_json_answer(content))

    def _complete(self, chat: list[dict[str, str]]) -> str:
        body = {
            "model": self.config.model,
            "messages": chat,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
            "response_format": {"type": "json_object"},
        }
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(
            self.config.chat_url, json.dumps(body).encode(), headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout_s) as response:
                payload = json.loads(response.read(1_000_000).decode("utf-8"))
        except (OSError, urllib.error.URLError, ValueError) as exc:
            raise LLMError(f"the LLM endpoint failed: {exc}") from None
        try:
            return str(payload["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError):
            raise LLMError("the LLM endpoint's answer has no choices[0].message.content") from None


def messages(instruction: str, graph: SceneGraph) -> list[dict[str, str]]:
    """The chat: system prompt and schema, two examples, then the scene and the instruction."""
    chat = [{"role": "system", "content": SYSTEM_PROMPT}]
    for text, answer in EXAMPLES:
        chat.append({"role": "user", "content": f"Instruction: {text}"})
        chat.append({"role": "assistant", "content": json.dumps(answer)})
    objects = ", ".join(o.name for o in graph.objects) or "nothing"
    chat.append(
        {"role": "user", "content": f"Objects on the table: {objects}.\nInstruction: {instruction}"}
    )
    return chat


def parse_json_answer(content: str) -> object:
    """The JSON object in a model's answer (a ```json fence allowed around it)."""
    text = content.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.DOTALL)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except ValueError:
        raise SchemaError("the LLM's answer is not JSON") from None


def _unmatched(proposal: Proposal, minimum: float = 0.25) -> bool:
    for binding in proposal.bindings:
        best = binding.grounding.best()
        if best is None or best[1] < minimum:
            return True
    return False


def validate_references(parsed: Parsed) -> None:
    """The same checks the rule parser makes on its own references (fixtures, places off the
    table, unparsed heads); SchemaError when one fails."""
    if isinstance(parsed, NotUnderstood | Question):
        return
    assert isinstance(parsed, Instruction)
    for step in parsed.steps:
        for role in ("target", "destination"):
            reference = getattr(step, role, None)
            if isinstance(reference, Reference):
                checked = check_target(reference) if role == "target" else _destination(reference)
                if isinstance(checked, NotUnderstood):
                    raise SchemaError(f"{role}: {checked.reason}")


def _destination(reference: Reference) -> Reference | NotUnderstood:
    return check_destination(reference.head or "everything", reference)
