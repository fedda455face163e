from django.contrib import admin

from citizens.models import CitizenProfile, Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["dossier", "score", "created_at"]
    list_filter = ["score"]
    search_fields = ["dossier__code"]
    readonly_fields = ["dossier", "score", "comment", "created_at"]


@admin.register(CitizenProfile)
class CitizenProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "phone", "email", "created_at"]
    search_fields = ["full_name", "phone", "email"]
    readonly_fields = ["user", "created_at"]
