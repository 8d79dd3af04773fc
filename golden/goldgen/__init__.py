"""Golden-tensor generator: builds tiny random Mixtral checkpoints, runs the published implementations on them
(Hugging Face transformers and Mistral's moe_one_file_ref.py) and records their intermediate tensors."""
