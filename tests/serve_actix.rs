//! `Sse` as an actix-web 4 `Responder` on a real actix server on loopback, behind the
//! `Compress` middleware, read by reqwest asking for gzip: headers (with
//! `Content-Encoding: identity`), exact bytes as they are sent, keep-alive on an idle stream,
//! shutdown, and a client leaving.

use actix_web::middleware::Compress;
use actix_web::{web, App, HttpResponse, HttpServer, Responder};
use futures::{stream, StreamExt};
use sse_wire::stream::channel;
use sse_wire::{Event, SendError, Sse};
use std::net::SocketAddr;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

mod support;
use support::first_bytes;

const WAIT: Duration = Duration::from_secs(10);

/// What the handlers share: the shutdown signal, and where jobs report why they stopped.
#[derive(Clone)]
struct Shared {
    stopped: watch::Receiver<bool>,
    reports: mpsc::UnboundedSender<SendError>,
}

async fn events() -> impl Responder {
    let events = (1..=2_u32).map(|n| {
        Event::new()
            .event("tick")
            .id(n)
            .data(format!("tick {n}\nby actix"))
    });
    Sse::new(stream::iter(events))
}

/// A response `Compress` does compress: proof the middleware is at work.
async fn plain() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain")
        .body("compress me ".repeat(200))
}

async fn idle() -> impl Responder {
    Sse::new(stream::pending::<Event>()).keep_alive(Duration::from_millis(50))
}

async fn until_shutdown(shared: web::Data<Shared>) -> impl Responder {
    let mut stopped = shared.stopped.clone();
    Sse::new(stream::iter([Event::new().data("live")]).chain(stream::pending()))
        .shutdown(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })
        .farewell(&Event::new().retry(Duration::from_secs(5)))
}

async fn job(shared: web::Data<Shared>) -> impl Responder {
    let (sender, receiver) = channel(16);
    sender.send(Event::new().data("hello")).unwrap();
    let reports = shared.reports.clone();
    actix_web::rt::spawn(async move {
        let _ = reports.send(sender.closed().await);
    });
    // actix notices a closed connection when it next writes: the keep-alive bounds that.
    Sse::new(receiver).keep_alive(Duration::from_millis(50))
}

/// Runs an actix server on its own thread (actix has its own runtime) until the test ends.
fn start(shared: Shared) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (ready, started) = std_mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                App::new()
                    .wrap(Compress::default())
                    .app_data(web::Data::new(shared.clone()))
                    .route("/plain", web::get().to(plain))
                    .route("/events", web::get().to(events))
                    .route("/idle", web::get().to(idle))
                    .route("/until-shutdown", web::get().to(until_shutdown))
                    .route("/job", web::get().to(job))
            })
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
            ready.send(()).unwrap();
            server.await.unwrap();
        });
    });
    started.recv_timeout(WAIT).expect("the server starts");
    address
}

fn server() -> (
    SocketAddr,
    watch::Sender<bool>,
    mpsc::UnboundedReceiver<SendError>,
) {
    let (stop, stopped) = watch::channel(false);
    let (reports, reported) = mpsc::unbounded_channel();
    (start(Shared { stopped, reports }), stop, reported)
}

/// A GET that accepts gzip, as browsers do.
async fn get(url: String) -> reqwest::Response {
    let request = reqwest::Client::new()
        .get(url)
        .header("accept-encoding", "gzip");
    tokio::time::timeout(WAIT, request.send())
        .await
        .expect("a response in time")
        .unwrap()
}

async fn open(url: String) -> reqwest::Response {
    let response = get(url).await;
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.as_bytes());
    sse_wire::check_response(response.status().as_u16(), content_type).unwrap();
    response
}

#[tokio::test]
async fn headers_and_the_exact_bytes() {
    let (address, _stop, _reports) = server();
    let response = open(format!("http://{address}/events")).await;
    let headers = response.headers();
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-accel-buffering"], "no");
    assert_eq!(
        headers["content-encoding"], "identity",
        "Compress must leave the stream alone"
    );
    assert_eq!(
        tokio::time::timeout(WAIT, response.bytes())
            .await
            .unwrap()
            .unwrap(),
        "event: tick\nid: 1\ndata: tick 1\ndata: by actix\n\n\
         event: tick\nid: 2\ndata: tick 2\ndata: by actix\n\n"
    );
}

#[tokio::test]
async fn the_compress_middleware_is_at_work_on_other_responses() {
    let (address, _stop, _reports) = server();
    let response = get(format!("http://{address}/plain")).await;
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn an_idle_stream_carries_keep_alive_comments() {
    let (address, _stop, _reports) = server();
    let response = open(format!("http://{address}/idle")).await;
    assert_eq!(&first_bytes(response, 6).await[..6], b":\n\n:\n\n");
}

#[tokio::test]
async fn shutdown_sends_the_farewell_and_ends_the_stream() {
    let (address, stop, _reports) = server();
    let response = open(format!("http://{address}/until-shutdown")).await;
    let mut chunks = Box::pin(response.bytes_stream());
    let first = tokio::time::timeout(WAIT, chunks.next()).await.unwrap();
    assert_eq!(first.unwrap().unwrap(), "data: live\n\n");
    stop.send(true).unwrap();
    let mut rest = Vec::new();
    while let Some(chunk) = tokio::time::timeout(WAIT, chunks.next())
        .await
        .expect("the stream ends in time")
    {
        rest.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(rest, b"retry: 5000\n\n");
}

#[tokio::test]
async fn a_client_leaving_tells_the_job() {
    let (address, _stop, mut reports) = server();
    let response = open(format!("http://{address}/job")).await;
    assert_eq!(first_bytes(response, 13).await, b"data: hello\n\n");
    let reason = tokio::time::timeout(WAIT, reports.recv())
        .await
        .expect("the job was told in time")
        .unwrap();
    assert_eq!(reason, SendError::Disconnected);
}
