"""Serialisation (one cattrs converter, JSON) and ticket data import."""

from itil_ci.io.codec import SCHEMA_VERSION, converter, from_dict, from_json, to_dict, to_json

__all__ = ["SCHEMA_VERSION", "converter", "from_dict", "from_json", "to_dict", "to_json"]
