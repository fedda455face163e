from django.urls import include, path

from citizens.views import accounts, lookup, national, results, submitted, wizard

# A draft of the wizard: /nop-ho-so/<procedure>/<token>/...
draft_urls = [
    path("da-nop/", submitted.done, name="citizen-done"),
    path("bien-nhan.pdf", submitted.acknowledgement_pdf, name="citizen-acknowledgement"),
    path("huy/", submitted.discard, name="citizen-discard"),
    path("<slug:slug>/", wizard.step, name="citizen-step"),
]
# A dossier looked up, and what its key allows: /tra-cuu/ho-so/<code>/...
dossier_urls = [
    path("", lookup.dossier_page, name="citizen-dossier"),
    path("bo-sung/", lookup.supplement, name="citizen-supplement"),
    path("bo-sung/da-gui/", lookup.supplement_sent, name="citizen-supplement-sent"),
    path("rut/", lookup.withdraw, name="citizen-withdraw"),
    path("ket-qua/<int:file_id>/", results.result_download, name="citizen-result"),
    path("danh-gia/", lookup.rate, name="citizen-rate"),
]

urlpatterns = [
    # Submission wizard
    path("nop-ho-so/dia-ban/<str:province>/", wizard.wards, name="citizen-wards"),
    path("nop-ho-so/<str:code>/", wizard.start, name="citizen-start"),
    path("nop-ho-so/<str:code>/<str:token>/", include(draft_urls)),
    path("xac-nhan/am-thanh/<str:key>.wav", lookup.captcha_audio, name="citizen-captcha-audio"),
    # Look-up and what the key allows
    path("tra-cuu/", lookup.lookup, name="citizen-lookup"),
    path("tra-cuu/gui-lai-ma/", lookup.key_resend, name="citizen-key-resend"),
    path("tra-cuu/ho-so/<str:code>/", include(dossier_urls)),
    # Optional accounts
    path("tai-khoan/dang-ky/", accounts.register, name="citizen-register"),
    path("tai-khoan/dang-nhap/", accounts.login, name="citizen-login"),
    path("tai-khoan/dang-nhap-quoc-gia/", national.start, name="citizen-national-login"),
    path("tai-khoan/dang-nhap-quoc-gia/ve/", national.callback, name="citizen-national-callback"),
    path("tai-khoan/dang-xuat/quoc-gia/", national.signed_out, name="citizen-national-logout"),
    path("tai-khoan/dang-xuat/", accounts.logout, name="citizen-logout"),
    path("tai-khoan/ho-so-cua-toi/", accounts.my_dossiers, name="citizen-my-dossiers"),
    path("tai-khoan/nhan-ho-so/", accounts.claim, name="citizen-claim"),
    path("tai-khoan/quen-mat-khau/", accounts.reset_start, name="citizen-reset-start"),
    path("tai-khoan/dat-lai-mat-khau/", accounts.reset_finish, name="citizen-reset-finish"),
]
