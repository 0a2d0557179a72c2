"""The shared lexicon: colour names (CIELAB), size words and object concepts (names,
affordances, shapes). Every stage reads words from here; no stage owns them."""
