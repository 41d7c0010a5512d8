"""The read-only HSDS 3.0 API under /api/hsds/ (Open Referral's openapi.json, trimmed: data/hsds_openapi.json).

Anyone may read what the public pages show: public services that have not ended. A member organisation's
API token (``Authorization: Bearer …``, made by ``tsunagari create-api-token``) also shows members-only
services. The scalar fields of every object are the HSDS tabular columns of the descriptor that import and
export use (hsds.py), and categories and districts come back as HSDS attributes with the same ids as in an
exported package (``hsds._attribute_rows``), so the API and the CSV packages always agree.

Every error is JSON: 400 for a bad parameter, 401 for a bad token, 404 for an unknown (or hidden) id,
405 for anything but GET. Empty optional fields are left out (the HSDS schemas do not allow null).

views.py has the endpoints (mounted by api_urls.py), serializers.py builds the HSDS JSON, and access.py
reads the token and narrows every query to what the caller may see (the rule itself is
``selectors.services_visible_to_api``; tokens are issued by ``services.issue_api_token``).
"""
