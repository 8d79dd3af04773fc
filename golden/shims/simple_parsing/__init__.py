"""Stand-in for `simple_parsing`, which Mistral's moe_one_file_ref.py imports only for a base class."""
