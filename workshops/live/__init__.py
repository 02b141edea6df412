"""Everything live, in one package.

- `names.py`: the registry of event names, shared with the browser (`json_script`).
- `events.py`: the typed domain events that writes emit (`NoteAdded`, `PhaseChanged` …).
- `emit.py`: `emit()` stores an event as a `LiveEvent` row in the write's transaction (in id
  order per workshop) and publishes it on commit; `capture()` records them for tests.
- `audience.py`: the kinds of screen and the one audience rule (`reaches`).
- `shown.py`: what screens show of a note or of the workshop's state (status, phase,
  timer), as plain values; the write publishes them with the event, so processes render it
  without reading the rows back.
- `render.py`: an event as the HTML fragment one kind of screen applies, in that screen's
  language, rendered at most once per (event, screen kind, language) in a process.

Writes import `events` and `emit`; the stream view imports `audience` and `render`.
"""
