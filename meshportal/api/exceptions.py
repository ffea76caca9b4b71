"""Turns service exceptions into the API's JSON errors.

Services raise Django's ValidationError and PermissionDenied and our Conflict; DRF only
knows its own exceptions, so without this they would become 500s.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from meshportal.exceptions import Conflict, Incomplete, NestedValidationError


def validation_error_detail(error: DjangoValidationError):
    if isinstance(error, NestedValidationError):
        return error.nested
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"detail": " ".join(error.messages)}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Incomplete):
        return Response(
            {"detail": exc.message, "missing": exc.missing}, status=status.HTTP_400_BAD_REQUEST
        )
    elif isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
