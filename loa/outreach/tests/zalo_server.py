"""A local HTTP server that speaks the Zalo Official Account API as Loa uses it (Zalo's own
servers are not reachable from tests): the OAuth refresh of the access token, and the
customer-service text message. Its answers follow Zalo's shape: HTTP 200 with an `error`
code in the JSON body, 0 meaning success."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APP_ID, SECRET_KEY = "1234567890", "app-secret"
NOT_FOLLOWING = "9999"  # a user ID that does not follow the OA


class ZaloOA:
    def __init__(self):
        self.access_token, self.refresh_token = "token-0", "refresh-0"
        self.refreshes = 0
        self.messages: list[dict] = []  # {"user_id", "text", "token"}
        self.lock = threading.Lock()

    def expire_token(self) -> None:
        self.access_token = "no-longer-valid"

    def refresh(self, headers, form: dict) -> dict:
        with self.lock:
            if (
                headers.get("secret_key") != SECRET_KEY
                or form.get("app_id") != APP_ID
                or form.get("grant_type") != "refresh_token"
                or form.get("refresh_token") != self.refresh_token
            ):
                return {"error": -14014, "error_name": "Invalid refresh token"}
            self.refreshes += 1
            self.access_token = f"token-{self.refreshes}"
            self.refresh_token = f"refresh-{self.refreshes}"  # a refresh token is used once
            return {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }

    def message(self, headers, body: dict) -> dict:
        with self.lock:
            if headers.get("access_token") != self.access_token:
                return {"error": -216, "message": "Access token is invalid"}
            user_id = body["recipient"]["user_id"]
            if user_id == NOT_FOLLOWING:
                return {"error": -213, "message": "User has not followed OA"}
            self.messages.append({"user_id": user_id, "text": body["message"]["text"]})
            return {
                "error": 0,
                "message": "Success",
                "data": {"message_id": f"msg-{len(self.messages)}", "user_id": user_id},
            }


def serve(oa: ZaloOA) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook name
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/v4/oa/access_token":
                form = dict(urllib.parse.parse_qsl(raw.decode()))
                answer = oa.refresh(self.headers, form)
            elif self.path == "/v3.0/oa/message/cs":
                answer = oa.message(self.headers, json.loads(raw))
            else:
                self.send_error(404)
                return
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
