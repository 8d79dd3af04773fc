#!/usr/bin/env bash
# Regenerates the embedded demo model's weights: reference/src/main/resources/demo-model/{config.json,model.safetensors}.
# The weights are random (deterministic: fixed seed), in the shape of demo-model/config.json: a Mixtral with 6 layers,
# 8 experts, top-2, grouped-query attention, stored in BF16 like the published checkpoints. The tokenizer beside them
# comes from train_tokenizer.py. Random weights show the mechanics of routing, not learned specialisation.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/reference/src/main/resources/demo-model"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/mixtral" random-checkpoint --config "$root/demo-model/config.json" --dtype BF16 --seed 20231211 --out "$tmp/out"
chmod 644 "$tmp/out"/*
mv "$tmp/out/config.json" "$tmp/out/model.safetensors" "$dest/"
ls -l "$dest"
