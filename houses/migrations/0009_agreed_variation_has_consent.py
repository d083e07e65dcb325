from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("houses", "0008_mark_agreements_before_consent")]

    operations = [
        migrations.AddConstraint(
            model_name='variation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['agreed', 'ended']), _negated=True), models.Q(('agreed_on__isnull', False), models.Q(('decided_at__isnull', False), ('agreed_before_consent', True), _connector='OR')), _connector='OR'), name='agreed_variation_has_consent', violation_error_message='Een overeengekomen afwijking vermeldt wanneer en wie instemde.'),
        ),
    ]
