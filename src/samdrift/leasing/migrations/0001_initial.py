"""The leasing models, moved from catalogue (LeaseModel, PriceListPublication) and inventory
(the buyout models of 0003_buyouts) into the migration state only: ``db_table`` keeps
their tables, so no row is copied. catalogue 0003 and inventory 0007 drop them from
those apps' state."""

import django.core.validators
import django.db.models.deletion
import samdrift.core.money
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalogue', '0002_price_list_publication'),
        ('inventory', '0006_asset_tag_upper_index'),
        ('organisations', '0002_person_municipality_no_own_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the tables stay as they are (same names, same rows).
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='LeaseModel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                        ('term_months', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='term (months)')),
                        ('annual_rate', models.DecimalField(decimal_places=6, help_text='As a fraction: 0.05 is 5 % a year.', max_digits=7, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1'))], verbose_name='annual interest rate')),
                        ('residual_percent', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))], verbose_name='residual value (%)')),
                        ('monthly_service_fee', samdrift.core.money.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='monthly service fee')),
                        ('payment_timing', models.CharField(choices=[('arrears', 'in arrears (end of month)'), ('advance', 'in advance (start of month)')], default='arrears', max_length=10, verbose_name='payments')),
                    ],
                    options={
                        'verbose_name': 'lease model',
                        'verbose_name_plural': 'lease models',
                        'db_table': 'catalogue_leasemodel',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Buyout',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                        ('name', models.CharField(max_length=150, verbose_name='name')),
                        ('valuation_date', models.DateField(help_text='Book values are computed on this day (the takeover).', verbose_name='valuation date')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('agreed', 'Agreed'), ('completed', 'Completed')], default='draft', max_length=10, verbose_name='status')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('agreed_on', models.DateField(blank=True, null=True, verbose_name='agreed on')),
                        ('agreed_total', samdrift.core.money.MoneyField(blank=True, decimal_places=2, help_text='The sum of the frozen per-asset book values at agreement.', max_digits=14, null=True, verbose_name='agreed total')),
                        ('completed_on', models.DateField(blank=True, null=True, verbose_name='completed on')),
                        ('agreed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agreed by')),
                        ('completed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='completed by')),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='buyouts', to='organisations.municipality', verbose_name='municipality')),
                    ],
                    options={
                        'verbose_name': 'buyout',
                        'verbose_name_plural': 'buyouts',
                        'db_table': 'inventory_buyout',
                        'ordering': ['-valuation_date', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='AmountOwed',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                        ('amount', samdrift.core.money.MoneyField(decimal_places=2, help_text='Owed to the municipality, excluding VAT.', max_digits=14, verbose_name='amount')),
                        ('due_month', models.DateField(help_text='First day of the billing month it is credited in.', verbose_name='due in month')),
                        ('description', models.CharField(max_length=200, verbose_name='description')),
                        ('settled_reference', models.CharField(blank=True, db_index=True, max_length=100, null=True, verbose_name='settled by')),
                        ('settled_on', models.DateField(blank=True, null=True, verbose_name='settled on')),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='amounts_owed', to='organisations.municipality', verbose_name='municipality')),
                        ('buyout', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='amount_owed', to='leasing.buyout', verbose_name='buyout')),
                    ],
                    options={
                        'verbose_name': 'amount owed to a municipality',
                        'verbose_name_plural': 'amounts owed to municipalities',
                        'db_table': 'inventory_amountowed',
                        'ordering': ['due_month', 'municipality_id'],
                    },
                ),
                migrations.CreateModel(
                    name='BuyoutItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                        ('acquisition_date', models.DateField(verbose_name='acquisition date')),
                        ('acquisition_cost', samdrift.core.money.MoneyField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='acquisition cost')),
                        ('residual_value', samdrift.core.money.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='residual value')),
                        ('useful_life_months', models.PositiveSmallIntegerField(blank=True, help_text="Empty: the product's useful life. At most 60 months.", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='useful life (months)')),
                        ('life_override_reason', models.CharField(blank=True, max_length=200, verbose_name='reason for the useful life')),
                        ('age_months', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='age (months)')),
                        ('book_value', samdrift.core.money.MoneyField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='book value')),
                        ('asset', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='buyout_item', to='inventory.asset', verbose_name='asset')),
                        ('buyout', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='leasing.buyout', verbose_name='buyout')),
                    ],
                    options={
                        'verbose_name': 'buyout item',
                        'verbose_name_plural': 'buyout items',
                        'db_table': 'inventory_buyoutitem',
                        'ordering': ['buyout_id', 'asset__asset_tag'],
                    },
                ),
                migrations.CreateModel(
                    name='AssetPrice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                        ('valid_from', models.DateField(verbose_name='valid from')),
                        ('valid_to', models.DateField(blank=True, null=True, verbose_name='valid to')),
                        ('amount', samdrift.core.money.MoneyField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='monthly price')),
                        ('capital_part', samdrift.core.money.MoneyField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='capital part')),
                        ('service_fee', samdrift.core.money.MoneyField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='service fee')),
                        ('financed_value', samdrift.core.money.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='financed value')),
                        ('residual_value', samdrift.core.money.MoneyField(decimal_places=2, default=Decimal('0'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='residual value')),
                        ('term_months', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='term (months)')),
                        ('annual_rate', models.DecimalField(decimal_places=6, default=Decimal('0'), max_digits=7, verbose_name='annual interest rate')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('asset', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='prices', to='inventory.asset', verbose_name='asset')),
                        ('buyout_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='prices', to='leasing.buyoutitem', verbose_name='buyout item')),
                    ],
                    options={
                        'verbose_name': 'asset price',
                        'verbose_name_plural': 'asset prices',
                        'db_table': 'inventory_assetprice',
                        'ordering': ['asset_id', 'valid_from'],
                    },
                ),
                migrations.CreateModel(
                    name='PriceListPublication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                        ('kind', models.CharField(choices=[('lease_prices', 'Lease prices recalculated'), ('indexation', 'Service prices indexed')], max_length=20, verbose_name='kind')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='price year')),
                        ('valid_from', models.DateField(verbose_name='valid from')),
                        ('index_name', models.CharField(blank=True, max_length=100, verbose_name='index')),
                        ('old_index', models.DecimalField(blank=True, decimal_places=4, max_digits=12, null=True, verbose_name='old index value')),
                        ('new_index', models.DecimalField(blank=True, decimal_places=4, max_digits=12, null=True, verbose_name='new index value')),
                        ('versions_created', models.PositiveIntegerField(default=0, verbose_name='price versions created')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published by')),
                    ],
                    options={
                        'verbose_name': 'price-list publication',
                        'verbose_name_plural': 'price-list publications',
                        'db_table': 'catalogue_pricelistpublication',
                        'ordering': ['-valid_from', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='SignedValuation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                        ('file_name', models.CharField(max_length=200, verbose_name='file name')),
                        ('content', models.BinaryField(verbose_name='content')),
                        ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                        ('size', models.PositiveIntegerField(verbose_name='size (bytes)')),
                        ('buyout', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='signed_valuation', to='leasing.buyout', verbose_name='buyout')),
                    ],
                    options={
                        'verbose_name': 'signed valuation',
                        'verbose_name_plural': 'signed valuations',
                        'db_table': 'inventory_signedvaluation',
                    },
                ),
                migrations.AddConstraint(
                    model_name='buyout',
                    constraint=models.CheckConstraint(condition=models.Q(('agreed_total__isnull', True), ('agreed_total__gte', 0), _connector='OR'), name='buyout_agreed_total_gte_0'),
                ),
                migrations.AddIndex(
                    model_name='amountowed',
                    index=models.Index(fields=['due_month', 'settled_reference'], name='inventory_a_due_mon_34d574_idx'),
                ),
                migrations.AddConstraint(
                    model_name='amountowed',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='amount_owed_amount_gt_0'),
                ),
                migrations.AddConstraint(
                    model_name='buyoutitem',
                    constraint=models.CheckConstraint(condition=models.Q(('acquisition_cost__gte', 0)), name='buyout_item_acquisition_cost_gte_0'),
                ),
                migrations.AddConstraint(
                    model_name='buyoutitem',
                    constraint=models.CheckConstraint(condition=models.Q(('residual_value__gte', 0), ('residual_value__lte', models.F('acquisition_cost'))), name='buyout_item_residual_value_within_cost'),
                ),
                migrations.AddIndex(
                    model_name='assetprice',
                    index=models.Index(fields=['valid_from', 'valid_to'], name='inventory_a_valid_f_c5c5cd_idx'),
                ),
                migrations.AddConstraint(
                    model_name='assetprice',
                    constraint=models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gt', models.F('valid_from')), _connector='OR'), name='asset_price_valid_to_after_from'),
                ),
                migrations.AddConstraint(
                    model_name='assetprice',
                    constraint=models.UniqueConstraint(fields=('asset', 'valid_from'), name='asset_price_unique_asset_start'),
                ),
                migrations.AddConstraint(
                    model_name='pricelistpublication',
                    constraint=models.CheckConstraint(condition=models.Q(('old_index__isnull', True), ('old_index__gt', 0), _connector='OR'), name='price_list_publication_old_index_gt_0'),
                ),
                migrations.AddConstraint(
                    model_name='pricelistpublication',
                    constraint=models.CheckConstraint(condition=models.Q(('new_index__isnull', True), ('new_index__gt', 0), _connector='OR'), name='price_list_publication_new_index_gt_0'),
                ),
            ],
        ),
    ]
