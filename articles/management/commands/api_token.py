"""``api_token USERNAME --name NAME [--expires DAYS]``: make a personal API token and
print it once (for servers and scripts set up without a browser)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.tokens import TokenError, create_token


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (shown this once; only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 'nightly export'")
        parser.add_argument("--expires", type=int, metavar="DAYS", help="expire after this many days (default: never)")

    def handle(self, *args, username, name, expires, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called “{username}”.")
        if not user.is_active:
            raise CommandError(f"{username} is deactivated: a token of theirs would not work.")
        try:
            new = create_token(user=user, name=name, expires_days=expires)
        except TokenError as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(new.secret)
        until = f"until {new.token.expires_at:%Y-%m-%d %H:%M} UTC" if new.token.expires_at else "with no expiry"
        self.stderr.write(f"Token “{new.token.name}” for {username}, {until}. It is shown this once: keep it safe.")
