"""People and the organisations they act for."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.registry.models import Organisation


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Roles: organisation membership (applicant, organisation administrator) lives in
    Membership; official, assessor and system administrator are flags held here."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")], default="fi")
    # E-mail preferences (kuntadigi.notifications.kinds): reminders before deadlines, and news of an
    # application's steps. Messages a person must receive (sign-in links, decisions) cannot be switched off.
    reminder_emails = models.BooleanField(_("reminders before deadlines"), default=True)
    update_emails = models.BooleanField(_("news of applications' steps"), default=True)
    is_official = models.BooleanField(_("ministry official"), default=False)
    is_assessor = models.BooleanField(_("assessor"), default=False)
    is_staff = models.BooleanField(_("system administrator"), default=False, help_text=_("May use the administration site."))
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=clock.now)
    # Raised by "sign out everywhere": it is part of the session hash, so every older session ends.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, with the session generation mixed in once it has been raised
        (generation 0 keeps Django's own value, so no session ends when this field arrives)."""
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "kuntadigi.accounts.User.session_auth_hash", f"{self.password}:{self.session_generation}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.email


class Membership(models.Model):
    """A user acting for an organisation. A request to join waits for the approval of the
    organisation's administrator or of an official."""

    class Role(models.TextChoices):
        MEMBER = "member", _("applicant")
        ADMIN = "admin", _("organisation administrator")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested"), default=clock.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Set when the request was made from an address (confirmed by the sign-in link) in one of the
    # organisation's own e-mail domains: the request goes to the top of the officials' queue.
    confirmed_domain = models.CharField(_("address in the organisation's domain"), max_length=253, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_organisation")]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


class SignInToken(models.Model):
    """A single-use sign-in link. Only a hash of the secret is stored."""

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    next_url = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["email", "created_at"])]

    def __str__(self) -> str:
        return f"sign-in token {self.pk}"
