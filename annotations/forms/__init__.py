"""Forms, one module per area: the editor workspace, review and the dashboard, and export."""

from __future__ import annotations
