"""People's names the Vietnamese way: one "Họ và tên", kept and shown as written.

A Vietnamese name is family name, middle names, then the given name ("Lò Thị Mai"); split
into Django's first/last name fields and joined back in Western order it reads "Mai Lò Thị".
So the whole name lives in `User.first_name` and `last_name` stays empty: `get_full_name()`
then returns the name as written, on every page, slip and export. The admin's user form
shows the one field (portal.admin), and migration portal/0003 joined the names stored split.
"""

from __future__ import annotations


def full_name_fields(full_name: str) -> dict[str, str]:
    """The User fields that hold `full_name` ("Họ và tên")."""
    return {"first_name": " ".join(full_name.split())[:150], "last_name": ""}
