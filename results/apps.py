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
        from plans.audit import FieldDisplay, model_fields, register_fields
        from plans.demo import register_sample_results

        from .demo import sample_results_load
        from .models import QuarterWindow, Result, SectionQuarter

        # plans never imports results: it asks which quarters are approved through this.
        register_approved_quarters(_approved_quarters)
        register_sample_results(lambda fiscal_year: sample_results_load(fiscal_year=fiscal_year))
        # How the 実績 fields of the audit trail read.
        register_fields(
            {
                **model_fields(
                    Result,
                    ["value", "cancelled", "cancel_scope", "cancel_reason", "note", "reason"],
                ),
                # A figure far beyond the target or the pace, confirmed (results.rules).
                "confirmed": FieldDisplay("大きな数の確認"),
                "extra_values": FieldDisplay("実績（そのほかの数）"),
                "done": FieldDisplay("実施", values={"True": "実施", "False": "未実施"}),
                **model_fields(SectionQuarter, ["state"]),
                "is_open": FieldDisplay("入力の受付", values={"True": "受付中", "False": "締切"}),
                **model_fields(QuarterWindow, ["deadline"], deadline="date"),
                "tolerance": FieldDisplay("順調とみなす許容幅", kind="percent"),
            }
        )
