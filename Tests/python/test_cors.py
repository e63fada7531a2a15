"""Cross-origin access (QUARRY_CORS_ORIGINS, CORSPolicy): off by default; when on, preflights from listed
origins are answered 204, actual responses to them carry Access-Control-Allow-Origin, credentials are never
allowed, and other origins get no CORS field at all."""
import requests

ALLOWED = "https://app.example.com"
OTHER_ALLOWED = "http://localhost:3000"
SETTING = f"{ALLOWED}, {OTHER_ALLOWED}"


def cors_fields(response):
    return {name.lower(): value for name, value in response.headers.items() if name.lower().startswith("access-control-")}


def preflight(server, path, origin, method="POST", headers="authorization,content-type"):
    return requests.options(server.url + path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                                         "Access-Control-Request-Headers": headers})


def test_off_by_default(server):
    key = server.create_account("no-cors")
    answered = preflight(server, "/v1/jobs", ALLOWED)
    assert answered.status_code == 405 and cors_fields(answered) == {}
    actual = requests.get(server.url + "/v1/health", headers={"Origin": ALLOWED, "Authorization": f"api_key {key}"})
    assert actual.status_code == 200 and cors_fields(actual) == {} and "Vary" not in actual.headers


def test_preflights_from_listed_origins_are_answered_whatever_the_path(make_server):
    server = make_server(QUARRY_CORS_ORIGINS=SETTING)
    for path, origin in [("/v1/jobs", ALLOWED), ("/api/projects", OTHER_ALLOWED), ("/no/such/route", ALLOWED)]:
        answered = preflight(server, path, origin)
        assert answered.status_code == 204 and answered.content == b""
        assert cors_fields(answered) == {
            "access-control-allow-origin": origin,
            "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE",
            "access-control-allow-headers": "Authorization, Content-Type, X-Request-Id",
            "access-control-max-age": "7200",
        }
        assert answered.headers["Vary"] == "Origin"


def test_preflights_from_other_origins_are_routed_with_no_cors_fields(make_server):
    server = make_server(QUARRY_CORS_ORIGINS=SETTING)
    for origin in ["https://evil.example", "https://app.example.com:8443", "http://app.example.com", "null"]:
        answered = preflight(server, "/v1/jobs", origin)
        assert answered.status_code == 405 and cors_fields(answered) == {}, origin
        assert answered.headers["Vary"] == "Origin"
    # An OPTIONS that is not a preflight is routed too, even from a listed origin.
    plain = requests.options(server.url + "/v1/jobs", headers={"Origin": ALLOWED})
    assert plain.status_code == 405 and "Access-Control-Allow-Methods" not in plain.headers


def test_actual_responses_name_only_listed_origins_and_never_allow_credentials(make_server):
    server = make_server(QUARRY_CORS_ORIGINS=SETTING)
    key = server.create_account("cors")
    auth = {"Authorization": f"api_key {key}"}
    for origin in [ALLOWED, OTHER_ALLOWED]:
        for response in [requests.get(server.url + "/v1/health", headers={"Origin": origin, **auth}),
                         requests.post(server.url + "/v1/projects", json={}, headers={"Origin": origin, **auth}),  # 400
                         requests.get(server.url + "/v1/health", headers={"Origin": origin, "Authorization": "api_key qk_wrong"}),
                         requests.get(server.url + "/api/no/such/thing", headers={"Origin": origin})]:
            assert cors_fields(response) == {
                "access-control-allow-origin": origin,
                "access-control-expose-headers": "X-Request-Id, X-Total-Count, X-Page, X-Page-Size, Content-Disposition",
            }, (response.status_code, response.headers)
            assert response.headers["Vary"] == "Origin"
    for headers in [{"Origin": "https://evil.example"}, {"Origin": "HTTPS://APP.EXAMPLE.COM"}, {}]:
        response = requests.get(server.url + "/v1/health", headers={**headers, **auth})
        assert response.status_code == 200 and cors_fields(response) == {} and response.headers["Vary"] == "Origin"
