"""Two kinds of 中止 and one set of limits for a 実績 row.

Every 中止 stored so far meant "cancelled for the rest of the year" (the only kind there
was): those rows become 事業を年度中止, so no status changes.
"""

import django.core.validators
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def cancelled_rows_cancel_the_year(apps, schema_editor):
    for name in ("Result", "ApprovedRow"):
        apps.get_model("results", name).objects.filter(cancelled=True).update(cancel_scope="year")


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0002_fk_indexes_covered_by_constraints'),
        ('results', '0003_approved_record'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='result',
            name='cancel_scope',
            field=models.CharField(blank=True, choices=[('quarter', '今期の回を中止'), ('year', '事業を年度中止')], db_default='', default='', max_length=10, verbose_name='中止の範囲'),
        ),
        migrations.AddField(
            model_name='approvedrow',
            name='cancel_scope',
            field=models.CharField(blank=True, choices=[('quarter', '今期の回を中止'), ('year', '事業を年度中止')], db_default='', default='', max_length=10, verbose_name='中止の範囲'),
        ),
        migrations.RunPython(cancelled_rows_cancel_the_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='result',
            name='note',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='実施内容'),
        ),
        migrations.AlterField(
            model_name='result',
            name='reason',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='理由・今後の対応'),
        ),
        migrations.AlterField(
            model_name='result',
            name='value',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(Decimal('999999999'))], verbose_name='実績'),
        ),
        migrations.AlterField(
            model_name='sectionquarter',
            name='comment',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='課長のコメント'),
        ),
        migrations.AddConstraint(
            model_name='result',
            constraint=models.CheckConstraint(condition=models.Q(('value__isnull', True), ('value__lte', Decimal('999999999')), _connector='OR'), name='result_value_at_most_figure_max'),
        ),
        migrations.AddConstraint(
            model_name='result',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('cancel_scope', ''), ('cancelled', False)), models.Q(('cancel_scope__in', ['quarter', 'year']), ('cancelled', True)), _connector='OR'), name='result_cancel_scope_matches'),
        ),
    ]
