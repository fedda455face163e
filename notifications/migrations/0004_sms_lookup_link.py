"""Messages link the dossier's own look-up (code filled in) instead of the site's home page.

Stored templates, edited or not, switch `{{ site_url }}` to `{{ lookup_url }}`: in every default
text the link was there to look the dossier up.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for template in SmsTemplate.objects.filter(body__contains="{{ site_url }}"):
        template.body = template.body.replace("{{ site_url }}", "{{ lookup_url }}")
        template.save(update_fields=["body"])


def backwards(apps, schema_editor):
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for template in SmsTemplate.objects.filter(body__contains="{{ lookup_url }}"):
        template.body = template.body.replace("{{ lookup_url }}", "{{ site_url }}")
        template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_outbox_secret")]

    operations = [migrations.RunPython(forwards, backwards)]
