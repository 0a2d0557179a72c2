"""Agents: observation + instruction in; actions, an answer, a question or a refusal out."""

from vlmbot.agents.base import Agent, make_agent, registered_agents

__all__ = ["Agent", "make_agent", "registered_agents"]
