from samdrift.core.actor import acting_as


class ActorMiddleware:
    """Make the requesting user the actor of every change made while serving the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        label = "api" if request.path.startswith("/api/") else "web"
        with acting_as(label=label, request=request):
            return self.get_response(request)
