"""`loa library cite [FILE|-] [--json]`: the citations in a text, in the order they appear."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from loa.library.citations import find_citations


class Command(BaseCommand):
    help = "Legal-document library tools."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cite = sub.add_parser("cite", help="Find the documents a text cites.")
        cite.add_argument("file", nargs="?", default="-", help="a UTF-8 text file, or - (stdin)")
        cite.add_argument("--json", action="store_true", help="print a JSON list")
        sub.add_parser("reindex", help="Rebuild the search index (after a bulk load or restore).")

    def handle(self, *args, action, file="-", json: bool = False, **options):
        if action == "reindex":
            from loa.library.search import rebuild_index

            self.stdout.write(f"{rebuild_index()} văn bản đã được lập chỉ mục / documents indexed")
            return
        if file == "-":
            text = sys.stdin.read()
        else:
            try:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
            except OSError as error:
                raise CommandError(f"Không đọc được tệp / cannot read {file}: {error}") from None
            except UnicodeDecodeError:
                raise CommandError(f"{file} không phải văn bản UTF-8 / is not UTF-8 text") from None
        citations = [c.as_dict() for c in find_citations(text)]
        if json:
            self.stdout.write(_dumps(citations))
            return
        for c in citations:
            parts = [c["type"] or "?", c["code"], c["date"] or "", c["issuer"] or ""]
            self.stdout.write(f"{c['start']}-{c['end']}\t" + "\t".join(parts))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
