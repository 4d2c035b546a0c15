from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "事業計画"

    def ready(self) -> None:
        # Django's empty choice of a select (「- Select an option -」, untranslated) in the
        # words of the screens; Django reads this constant each time it builds a select.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = "（選択してください）"
