"""Verbs and phrases of instructions: what the robot can do, what it has no skill for, and what
it must never do. Shared by the parser, the planner and anything that labels instructions.

Every list is of lower-case words or phrases as people type them (after contractions are
expanded: "don't" → "do not").
"""

from __future__ import annotations

#: Verbs that move an object to a destination ("put X in Y"); the relation comes from the
#: preposition. Phrasal verbs are written with their particle.
PLACE_VERBS = frozenset(
    [
        "put", "place", "move", "drop", "stack", "set", "stick", "transfer", "balance", "pile",
        "shift", "gather", "collect", "stow", "stash", "bring", "lay", "load", "insert", "deposit",
        "position", "relocate", "slide", "carry", "pack", "store", "rest", "sit", "park", "pop",
        "plonk", "plop", "nest", "fit", "return", "arrange", "dump", "tuck", "leave", "get",
        "nudge",
    ]
)  # fmt: skip
#: Verbs that only pick something up (a destination may follow in another clause).
PICK_VERBS = frozenset(["pick", "grab", "take", "lift", "fetch", "raise", "hold", "grasp"])
#: Verbs of the sorting and matching goals.
SORT_VERBS = frozenset(["sort", "match", "group", "pair", "organize", "organise", "separate"])
#: Verbs that clear the table into a container.
CLEAR_VERBS = frozenset(["clear", "tidy", "clean", "declutter"])
#: All verbs that start a command the robot has a skill for.
ACTION_VERBS = PLACE_VERBS | PICK_VERBS | SORT_VERBS | CLEAR_VERBS

#: Words and phrases that ask for something harmful or for switching safety off: an
#: instruction that contains one anywhere is refused, naming it. Longest phrases first when
#: matching (see `vlmbot.language.screen`).
FORBIDDEN_PHRASES = (
    "throw", "threw", "thrown", "broke", "broken", "torn", "struck", "burnt", "toss", "chuck",
    "hurl", "fling", "lob", "smash", "shatter",
    "break", "crush", "destroy", "wreck", "damage", "hit", "strike", "punch", "kick", "stab",
    "cut", "slice", "burn", "ignite", "set fire", "set on fire", "melt", "explode", "hurt",
    "injure", "attack", "slam", "bang", "stomp", "squash", "tear", "rip", "spill",
    "knock over", "knock off", "knock down", "push off", "push over", "shove off",
    "tip over", "flip over", "drop on the floor", "drop onto the floor", "drop to the floor",
    "on the floor", "onto the floor", "to the floor",
    "disable", "deactivate", "switch off", "turn off", "shut off", "shut down", "bypass",
    "override", "circumvent", "hack", "sabotage",
)  # fmt: skip

#: Phrases of prompt injection: attempts to replace the robot's rules with the user's.
INJECTION_PHRASES = (
    "ignore all previous", "ignore previous", "ignore all prior", "ignore prior",
    "ignore your", "ignore the previous", "ignore the above", "ignore all instructions",
    "ignore all the instructions", "ignore any previous", "ignore everything", "ignore safety",
    "ignore the rules", "ignore all rules", "disregard", "forget your", "forget all previous",
    "forget previous", "forget the rules", "forget everything", "you are now",
    "pretend you are", "pretend to be", "act as if", "developer mode", "jailbreak",
    "system prompt", "new instructions", "override your", "no restrictions", "without restrictions",
    "safety off", "safety gate", "safety system", "safety check", "safety checks",
    "your rules", "your programming",
)  # fmt: skip

#: Verbs the robot has no skill for (harmless, but not pick-and-place): refused by name.
UNSUPPORTED_VERBS = frozenset(
    [
        "open", "close", "pour", "wash", "wipe", "fold", "spin", "rotate", "turn", "flip", "wave",
        "sing", "dance", "eat", "drink", "cook", "paint", "draw", "write", "fly", "jump", "squeeze",
        "push", "pull", "shake", "roll", "wiggle", "tap", "poke", "point", "juggle", "bounce",
        "hide", "empty", "fill", "heat", "freeze", "cool", "warm", "boil", "fry", "bake", "stir",
        "mix", "blend", "peel", "chop", "unscrew", "screw", "tie", "untie", "wrap", "unwrap",
        "inflate", "deflate", "press", "lick", "bite", "chew", "swallow", "sniff", "smell", "taste",
        "kiss", "hug", "pet", "feed", "water", "plant", "dig", "wear", "tickle", "whistle", "clap",
        "count", "read", "type", "print", "call", "text", "email", "give", "hand", "pass", "offer",
        "tell", "say", "speak", "explain", "show", "sing",
    ]
)  # fmt: skip

#: Manner words: accepted and accounted for, with no effect on the plan.
MANNER_WORDS = frozenset(
    [
        "please", "kindly", "gently", "carefully", "slowly", "softly", "nicely", "neatly",
        "quickly", "quick", "fast", "now", "just", "simply", "right", "away", "immediately", "asap",
        "again", "too", "also", "then", "thanks",
    ]
)  # fmt: skip

#: Clauses that only say how to do the rest ("without dropping it"): accounted for, no effect.
MANNER_CLAUSES = (
    "without dropping it", "without dropping them", "without dropping anything",
    "without breaking it", "without breaking them", "without breaking anything",
    "without damaging it", "without damaging them", "without damaging anything",
    "and be careful", "be careful", "careful", "gently", "carefully", "slowly", "thanks",
    "thank you", "thank you very much", "cheers", "go ahead", "come on", "hurry up", "if you can",
    "if you could",
    "if you do not mind", "when you get a chance", "when you have a moment", "for me",
    "right now", "right away", "please", "okay", "ok", "now",
    "be careful not to drop it", "be careful not to break it", "do not drop it",
    "do not drop them", "try not to drop it",
)  # fmt: skip
