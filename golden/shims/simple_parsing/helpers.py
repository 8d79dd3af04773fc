"""Only `Serializable` is imported by moe_one_file_ref.py; its dataclasses are built with keyword arguments here."""


class Serializable:
    pass
