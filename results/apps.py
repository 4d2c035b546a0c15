from django.apps import AppConfig


def _approved_quarters(fiscal_year_id: int, section_id: int) -> frozenset[int]:
    from .models import SectionQuarter

    return frozenset(
        SectionQuarter.objects.filter(
            fiscal_year_id=fiscal_year_id,
            section_id=section_id,
            state=SectionQuarter.State.APPROVED,
        ).values_list("quarter", flat=True)
    )


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "実績"

    def ready(self) -> None:
        from plans.approvals import register_approved_quarters

        # plans never imports results: it asks which quarters are approved through this.
        register_approved_quarters(_approved_quarters)
