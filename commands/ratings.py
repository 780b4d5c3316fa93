"""kam opp rate : relationship level (客情关系等级) and deal heat (成交热度) by checklist."""

from __future__ import annotations

import click

from commands._common import Kam, clean, local_time, pass_kam
from commands.opportunities import opp


def _codes(values: tuple[str, ...]) -> list[str] | None:
    """Repeated and/or comma-separated codes; None when the option was not given; "none" = nothing ticked."""
    if not values:
        return None
    codes = [c.strip() for v in values for c in v.split(",") if c.strip()]
    return [] if codes == ["none"] else codes


@opp.command("rate")
@click.argument("opportunity_id", type=int)
@click.option("--relationship", "-r", multiple=True, metavar="CODES", help="Relationship criteria that hold, e.g. 1.1,1.2,1.3 (or none).")
@click.option("--heat", "-H", multiple=True, metavar="CODES", help="Deal-heat criteria that hold, e.g. 30.1,50.1,50.2 (or none).")
@pass_kam
def opp_rate(kam: Kam, opportunity_id: int, relationship: tuple[str, ...], heat: tuple[str, ...]) -> None:
    """Rate relationship level (1–4) and deal heat (30/50/70/90 %) by ticking the seed's criteria.

    Without options, shows both checklists with what was ticked last time.
    A level is reached when at least half of its criteria are ticked and the
    level below it is reached.

    \b
    Example:
      kam opp rate 1
      kam opp rate 1 -r 1.1,1.2,1.3,1.4,2.1,2.2,2.4 -H 30.1,50.1,50.2
    """
    from workflow import ratings

    rel, hot = _codes(relationship), _codes(heat)
    if rel is None and hot is None:
        with kam.db.read() as session:
            rating = ratings.current(session, opportunity_id)
    else:
        with kam.db.write() as session:
            rating = ratings.rate(session, opportunity_id, actor=kam.actor, relationship=rel, heat=hot)
    kam.emit(rating.to_dict(), lambda: _print(kam, rating, show_lists=rel is None and hot is None))


def _print(kam: Kam, rating, show_lists: bool) -> None:  # type: ignore[no-untyped-def]
    from workflow.ratings import HEAT, RELATIONSHIP

    click.echo(rating_line(kam, rating.relationship_level, rating.relationship_assessed_at, rating.heat, rating.heat_assessed_at))
    if not show_lists:
        return
    for scale in (RELATIONSHIP, HEAT):
        ticked = set(rating.ticked.get(scale.name, []))
        click.echo()
        click.echo(clean(scale.label.render(kam.lang)) + ":")
        for level, criteria in scale.levels.items():
            click.echo(f"  {scale.unit(level)}")
            for c in criteria:
                click.echo(clean(f"    [{'x' if c.code in ticked else ' '}] {c.code:<5} {c.text.render(kam.lang)}"))
    click.echo()
    click.echo(kam.t(f"勾选：kam opp rate {rating.opportunity_id} -r 1.1,1.2,... -H 30.1,...", f"Tick with: kam opp rate {rating.opportunity_id} -r 1.1,1.2,... -H 30.1,..."))


def rating_line(kam: Kam, level, level_at, heat, heat_at) -> str:  # type: ignore[no-untyped-def]
    """One line for `opp show`: both ratings with the date each was assessed."""

    def part(zh: str, en: str, value: str | None, at) -> str:  # type: ignore[no-untyped-def]
        if at is None:
            return kam.t(f"{zh}：未评估", f"{en}: not assessed")
        return kam.t(f"{zh}：{value or '未达标'}（{local_time(at)[:10]} 评估）", f"{en}: {value or 'below the first level'} (assessed {local_time(at)[:10]})")

    return "  ".join(
        [
            part("客情关系等级", "Relationship level", f"{level}" if level else None, level_at),
            part("成交热度", "Deal heat", f"{heat}%" if heat else None, heat_at),
        ]
    )
