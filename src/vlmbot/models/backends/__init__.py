"""Real pretrained vision-language models through `transformers`, one module per family.

Imported only when a family is loaded (see vlmbot.models.catalogue); shared loading, device,
dtype and offline handling live in `_hf`.
"""
