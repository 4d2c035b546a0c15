from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "books"
    verbose_name = "帳票（事業計画・事業報告）"
