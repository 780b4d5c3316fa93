"""Pure rules: functions over plain values, no database (see notes/floors.md)."""
