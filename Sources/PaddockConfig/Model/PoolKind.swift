/// What kind of Python app server backs a pool; decides how upstream connections are used.
public enum PoolKind: String, Sendable, CaseIterable {
    /// gunicorn sync workers (WSGI): one request per worker at a time.
    case sync
    /// uvicorn (ASGI): many concurrent requests per worker.
    case async
}
