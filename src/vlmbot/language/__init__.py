"""Language: instructions and questions → typed goals and queries, without an LLM."""
