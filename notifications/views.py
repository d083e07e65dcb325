"""The account page: the user's own settings (the e-mail digest)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import DigestChoice


class DigestForm(forms.ModelForm):
    frequency = forms.ChoiceField(
        label=gettext_lazy("Samenvatting per e-mail"),
        choices=DigestChoice.Frequency.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = DigestChoice
        fields = ["frequency"]


def account(request):
    choice, _created = DigestChoice.objects.get_or_create(user=request.user)
    form = DigestForm(request.POST or None, instance=choice)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Uw keuze is opgeslagen."))
        return redirect("account")
    return render(request, "notifications/account.html", {"form": form})
