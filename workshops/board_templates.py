"""Workshop templates: the board question and the columns every group's board gets."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ColumnSpec:
    title: str
    prompt: str
    colour: str


@dataclass(frozen=True)
class BoardTemplate:
    key: str
    name: str
    description: str
    question: str
    columns: tuple[ColumnSpec, ...]


TEMPLATES: dict[str, BoardTemplate] = {
    template.key: template
    for template in (
        BoardTemplate(
            key="success_obstacles",
            name=_("Success factors / Obstacles"),
            description=_("Each group lists what makes it work and what gets in the way."),
            question=_("What does it take to make it happen?"),
            columns=(
                ColumnSpec(_("Success factors"), _("What makes it work?"), "green"),
                ColumnSpec(_("Obstacles"), _("What puts a spanner in the works?"), "pink"),
            ),
        ),
        BoardTemplate(
            key="brainstorm",
            name=_("Free brainstorm"),
            description=_("One column: every idea around the question."),
            question=_("What ideas do we have?"),
            columns=(ColumnSpec(_("Ideas"), _("Write one idea per note."), "yellow"),),
        ),
        BoardTemplate(
            key="now_future",
            name=_("Now → Future"),
            description=_("From how we work now to how we want to work."),
            question=_("How do we get from how we work now to how we want to work?"),
            columns=(
                ColumnSpec(_("How we work now"), _("What does it look like today?"), "blue"),
                ColumnSpec(
                    _("How we want to work"), _("What does it look like when it works?"), "green"
                ),
                ColumnSpec(_("What gets us there"), _("Which steps take us there?"), "yellow"),
            ),
        ),
        BoardTemplate(
            key="custom",
            name=_("Custom"),
            description=_("You name the columns yourself."),
            question=_("What do we think?"),
            columns=(),
        ),
    )
}

COLOURS = ("yellow", "green", "pink", "blue", "orange", "purple")


def template_choices() -> list[tuple[str, str]]:
    return [(template.key, template.name) for template in TEMPLATES.values()]
