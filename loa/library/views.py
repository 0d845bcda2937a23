"""Library pages: search, a document, adding and editing, attachments, finding citations."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from loa.core.paginator import CappedPaginator
from loa.core.uploads import too_large
from loa.library import files, forms, permissions, queries, services
from loa.library.models import (
    TYPE_BY_VIETNAMESE_NAME,
    Attachment,
    Document,
    DocumentType,
    Subject,
)

PAGE_SIZE = 20


def _editor(request) -> None:
    if not permissions.can_edit_library(request.user):
        raise PermissionDenied


def _int(value: str) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@login_required
@require_safe
def library_search(request):
    params = request.GET
    query = params.get("q", "").strip()[:200]
    doc_type = params.get("type", "")
    if doc_type not in DocumentType.values:
        doc_type = ""
    issuer = params.get("issuer", "").strip()[:100]
    year, subject_id = _int(params.get("year", "")), _int(params.get("subject", ""))
    found = queries.documents_for_list(
        request.user,
        query=query,
        doc_type=doc_type,
        issuer=issuer,
        year=year,
        subject_id=subject_id,
    )
    page = CappedPaginator(found, PAGE_SIZE).get_page(params.get("page"))
    filters = params.copy()
    filters.pop("page", None)
    context = {
        "page": page,
        "query": query,
        "doc_type": doc_type,
        "issuer": issuer,
        "year": year,
        "subject_id": subject_id,
        "types": DocumentType.choices,
        "years": queries.years_in_library(),
        "subjects": Subject.objects.all(),
        "filters": filters.urlencode(),
        "can_edit": permissions.can_edit_library(request.user),
        "section": "library",
    }
    template = "library/search.html#results" if request.htmx else "library/search.html"
    return render(request, template, context)


@login_required
@require_safe
def document_detail(request, pk):
    document = get_object_or_404(
        Document.objects.select_related("replaced_by", "added_by").prefetch_related(
            "subjects", "attachments", "replaces"
        ),
        pk=pk,
    )
    context = {
        "document": document,
        "cited": queries.documents_cited_by(document),
        "can_edit": permissions.can_edit_library(request.user),
        "attachment_form": forms.AttachmentForm(),
        "max_mb": settings.LOA_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "section": "library",
    }
    return render(request, "library/detail.html", context)


def _replaced_by(form) -> Document | None | bool:
    """The document named in "amended or replaced by"; False (with a form error) if unknown."""
    code = form.cleaned_data.get("replaced_by_code", "").strip()
    if not code:
        return None
    found = Document.objects.filter(code_key=services.code_key(code)).first()
    if found is None:
        form.add_error(
            "replaced_by_code",
            _("The library has no document %(code)s; add it first.") % {"code": code},
        )
        return False
    return found


def _save_document(request, form, document=None):
    """Create or update through the services; errors go on the form. The document or None."""
    replaced_by = _replaced_by(form)
    if replaced_by is False:
        return None
    data = {k: form.cleaned_data[k] for k in ("doc_type", "code", "issued_on", "issuer", "title")}
    data.update(validity=form.cleaned_data["validity"], replaced_by=replaced_by)
    try:
        if document is None:
            return services.document_create(
                actor=request.user, subject_names=form.subject_names(), **data
            )
        return services.document_update(
            actor=request.user, document=document, subject_names=form.subject_names(), **data
        )
    except services.DuplicateDocument as duplicate:
        form.add_error(None, duplicate)
        form.existing = duplicate.existing
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
    return None


def _document_form_page(request, form, *, title, document=None):
    context = {
        "form": form,
        "title": title,
        "document": document,
        "section": "library",
    }
    return render(request, "library/form.html", context, status=400 if form.errors else 200)


@login_required
def document_create(request):
    _editor(request)
    # Fields may come filled from a citation ("add it to the library" links).
    initial = {k: request.GET.get(k, "") for k in ("doc_type", "code", "issuer", "issued_on")}
    form = forms.DocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        document = _save_document(request, form)
        if document:
            messages.success(request, _("%(document)s is in the library.") % {"document": document})
            return redirect("library:detail", document.pk)
    return _document_form_page(request, form, title=_("Add a document"))


@login_required
def document_edit(request, pk):
    _editor(request)
    document = get_object_or_404(Document.objects.select_related("replaced_by"), pk=pk)
    initial = {
        "doc_type": document.doc_type,
        "code": document.code,
        "issued_on": document.issued_on,
        "issuer": document.issuer,
        "title": document.title,
        "validity": document.validity,
        "replaced_by_code": document.replaced_by.code if document.replaced_by else "",
        "subjects": ", ".join(s.name for s in document.subjects.all()),
    }
    form = forms.DocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _save_document(request, form, document):
            messages.success(request, _("The changes have been saved."))
            return redirect("library:detail", document.pk)
    return _document_form_page(
        request, form, title=_("Edit %(document)s") % {"document": document}, document=document
    )


@login_required
@require_POST
def attachment_upload(request, pk):
    _editor(request)
    document = get_object_or_404(Document, pk=pk)
    if message := too_large(request):
        messages.error(request, message)
        return redirect("library:detail", document.pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user, document=document, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The file is attached; Loa is reading its text."))
    else:
        for message in form.errors.get("file", []):
            messages.error(request, message)
    return redirect(reverse("library:detail", args=[document.pk]) + "#attachments")


@login_required
@require_safe
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    return files.download(attachment.file, attachment.name, attachment.kind)


@login_required
@require_safe
def attachment_status(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    return render(request, "library/_attachment.html", {"attachment": attachment})


@login_required
def citations_check(request):
    form = forms.CitationCheckForm(request.POST or None)
    text = form.cleaned_data["text"] if request.method == "POST" and form.is_valid() else ""
    found = queries.citations_in(text) if text else []
    context = {
        "form": form,
        "text": text,
        "found": found,
        "can_edit": permissions.can_edit_library(request.user),
        "section": "library",
    }
    return render(request, "library/check.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def citation_add(request):
    """One click: an unknown cited document becomes a library entry, fields from the citation."""
    _editor(request)
    post = request.POST
    try:
        issued_on = datetime.date.fromisoformat(post["date"]) if post.get("date") else None
    except ValueError:
        issued_on = None
    try:
        document = services.document_create(
            actor=request.user,
            doc_type=TYPE_BY_VIETNAMESE_NAME.get(post.get("type", ""), DocumentType.OTHER),
            code=post.get("code", "")[:60],
            issued_on=issued_on,
            issuer=post.get("issuer", "").strip()[:200],
        )
    except services.DuplicateDocument as duplicate:
        return redirect("library:detail", duplicate.existing.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(post.get("next") if _safe_next(request) else reverse("library:check"))
    messages.success(
        request,
        _("%(document)s is in the library; add its abstract and issuer if they are missing.")
        % {"document": document},
    )
    return redirect("library:edit", document.pk)


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    return url_has_allowed_host_and_scheme(
        request.POST.get("next"), allowed_hosts={request.get_host()}
    )
