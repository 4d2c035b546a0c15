from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "collab"
    verbose_name = "協働事業"

    def ready(self) -> None:
        from plans.audit import FieldDisplay, model_fields, register_fields

        from .models import SCORE_FIELDS, Review

        register_fields(
            {
                **model_fields(Review, SCORE_FIELDS),
                "created": FieldDisplay("追加した事業", unit="件"),
                "updated": FieldDisplay("更新した事業", unit="件"),
                "deleted": FieldDisplay("削除した事業", unit="件"),
            }
        )
