"""Writes with side effects, one module per subdomain (keyword-only, typed).

- `workshops.py`: set up a workshop (columns from a template, groups);
- `joins.py`: join codes, participants joining and choosing their group;
- `groups.py`: adding and renaming groups, moving a participant;
- `phases.py`: the facilitation rules (what each phase shows, who may write) and steering:
  phases, the timer, the spotlight, whether writing is open;
- `notes.py`: posting, editing, screening, hiding and deleting notes;
- `themes.py`, `votes.py`, `actions.py`: themes, dot voting, next steps;
- `exports.py`: requesting an export job (the worker runs `exporting.export_run`).

Each change emits its typed live event (`workshops.live`) in its transaction. Modules import
one way (`workshops` → `groups`, `joins`; `groups` → `joins`; `phases` → `joins`; `notes`,
`votes` → `phases`), never each other's private names; reads that feed screens are in
`boards.py`/`screens.py`.
"""
