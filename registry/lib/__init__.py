"""The shared kernel every app builds on, beside the project's settings.

- ``editable``: the base of every model people edit (timestamps, revision counter, edit scope);
- ``rights``: who may do what, asked by the admin, the pages and the API alike;
- ``cache``: the read cache and ETags, never stale;
- ``admin``: the scoped admin; ``api``, ``serializers``, ``filters``: the API's base classes.

These modules import no app (``roles``, ``houses``); the apps import them.
"""
