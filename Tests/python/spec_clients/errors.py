"""What the spec clients share: an error for a non-2xx answer, read from whatever body the server sent.

The HITL and JTheta pages document statuses but no error body, so each client names the keys it looks
for, in the order its own page makes likeliest."""


class SpecError(Exception):
    """A non-2xx answer: `status`, the parsed `body` (or its text) and a readable `message`."""

    def __init__(self, status, body, message):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.body = body
        self.message = message


def error_from(response, error_class, keys):
    """An `error_class` for `response`, its message the first of `keys` a JSON body has."""
    try:
        body = response.json()
    except ValueError:
        body = response.text
    message = body
    if isinstance(body, dict):
        message = next((body[key] for key in keys if body.get(key)), body)
    return error_class(response.status_code, body, str(message)[:500])
