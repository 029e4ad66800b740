// Not loaded by any page. django-otp-webauthn's scripts (static/django_otp_webauthn/*.js, from the package)
// show these texts through Django's JavaScript catalogue; listing them here lets `make messages` put them in
// locale/*/LC_MESSAGES/djangojs.po, so that the catalogue at mfa:jsi18n serves them in Finnish and Swedish.
gettext("An error occurred during registration.");
gettext("An error occurred during verification.");
gettext("Finishing registration...");
gettext("Finishing verification...");
gettext("Register a Passkey");
gettext("Registering...");
gettext("Registration aborted or not allowed.");
gettext("Registration aborted.");
gettext("Registration failed. A server error occurred.");
gettext("Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.");
gettext("Registration failed. An unknown error occurred.");
gettext("Registration failed. The server was unable to verify this passkey.");
gettext("Registration failed. Unable to fetch registration options from server.");
gettext("Registration failed. You most likely already have a Passkey registered for this site.");
gettext("Registration successful!");
gettext("Verification aborted.");
gettext("Verification canceled or not allowed.");
gettext("Verification failed. A server error occurred.");
gettext("Verification failed. An unknown error occurred.");
gettext("Verification failed. An unknown server error occurred.");
gettext("Verification failed. Could not retrieve parameters from the server.");
gettext("Verification successful!");
gettext("Verify with Passkey");
gettext("Verifying...");
