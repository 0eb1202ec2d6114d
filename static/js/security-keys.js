// The "Security keys" page: show the list again once django-otp-webauthn's register script
// reports a new key (it fires this event on the button, and it bubbles up).
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
