"""The built-in model families. Only names and loader paths here: nothing heavy is imported."""

from __future__ import annotations

from vlmbot.models.family import ModelFamily

_TINY = ModelFamily(
    name="tiny",
    tasks=frozenset({"encode_text", "encode_image", "match", "classify", "detect"}),
    loader="vlmbot.models.tiny.weights:load_tiny",
    description="vlmbot-tiny, the embedded model trained in vlmbot's simulator (offline)",
    example_ids=("tiny",),
    default_source="embedded",
    roles=frozenset({"proposer", "region_scorer"}),
)

# Real pretrained checkpoints through transformers (vlmbot.models.backends). Name them
# family:HUB_ID or family:PATH (a save_pretrained folder, for machines without network).
_HF = "vlmbot.models.backends"
_HF_FAMILIES = (
    ModelFamily(
        name="clip",
        tasks=frozenset({"encode_text", "encode_image", "match", "classify"}),
        loader=f"{_HF}.contrastive:load_clip",
        description="CLIP: image/text embeddings, matching, zero-shot and region classification",
        example_ids=("openai/clip-vit-base-patch32", "openai/clip-vit-large-patch14"),
        default_source="openai/clip-vit-base-patch32",
        roles=frozenset({"region_scorer"}),
    ),
    ModelFamily(
        name="siglip",
        tasks=frozenset({"encode_text", "encode_image", "match", "classify"}),
        loader=f"{_HF}.contrastive:load_siglip",
        description="SigLIP / SigLIP2: sigmoid image-text matching, zero-shot classification",
        example_ids=("google/siglip-base-patch16-224", "google/siglip2-base-patch16-naflex"),
        default_source="google/siglip-base-patch16-224",
        roles=frozenset({"region_scorer"}),
    ),
    ModelFamily(
        name="owlvit",
        tasks=frozenset({"detect"}),
        loader=f"{_HF}.owl:load_owlvit",
        description="OWL-ViT: open-vocabulary and image-guided (one-shot) detection",
        example_ids=("google/owlvit-base-patch32", "google/owlvit-base-patch16"),
        default_source="google/owlvit-base-patch32",
        roles=frozenset({"proposer", "region_scorer"}),
    ),
    ModelFamily(
        name="owlv2",
        tasks=frozenset({"detect"}),
        loader=f"{_HF}.owl:load_owlv2",
        description="OWLv2: open-vocabulary and image-guided (one-shot) detection",
        example_ids=("google/owlv2-base-patch16-ensemble", "google/owlv2-large-patch14-ensemble"),
        default_source="google/owlv2-base-patch16-ensemble",
        roles=frozenset({"proposer", "region_scorer"}),
    ),
    ModelFamily(
        name="blip",
        tasks=frozenset({"caption", "vqa", "match"}),
        loader=f"{_HF}.blip:load_blip",
        description="BLIP: captioning, VQA or image-text matching (the checkpoint decides which)",
        example_ids=(
            "Salesforce/blip-image-captioning-base",
            "Salesforce/blip-vqa-base",
            "Salesforce/blip-itm-base-coco",
        ),
        default_source="Salesforce/blip-image-captioning-base",
    ),
    ModelFamily(
        name="idefics",
        tasks=frozenset({"caption", "vqa"}),
        loader=f"{_HF}.idefics:load_idefics",
        description="Idefics2/3: interleaved image-text chat, few-shot captioning and VQA",
        example_ids=("HuggingFaceM4/Idefics3-8B-Llama3", "HuggingFaceM4/idefics2-8b"),
        default_source="HuggingFaceM4/Idefics3-8B-Llama3",
    ),
    ModelFamily(
        name="paligemma",
        tasks=frozenset({"caption", "vqa", "detect"}),
        loader=f"{_HF}.paligemma:load_paligemma",
        description="PaliGemma: captioning, VQA, detection from <loc> tokens",
        example_ids=("google/paligemma-3b-mix-224", "google/paligemma2-3b-mix-224"),
        default_source="google/paligemma-3b-mix-224",
    ),
)
#: Every built-in family, registered by `vlmbot.models.registry` on first use.
BUILTIN_FAMILIES: tuple[ModelFamily, ...] = (_TINY, *_HF_FAMILIES)
