"""meshportal.aws.client from several threads at once: a grant batch's AWS thread and
its task's thread may both need a client that nobody has made yet."""

import threading

from meshportal import aws


def test_threads_asking_for_a_new_client_at_once_share_the_one_made(monkeypatch):
    aws.forget_clients()
    made = []
    real_session = aws._session

    def counting_session(account, region):
        session, usable_until = real_session(account, region)
        real_client = session.client

        def client(*args, **kwargs):
            made.append(threading.current_thread().name)
            return real_client(*args, **kwargs)

        session.client = client
        return session, usable_until

    monkeypatch.setattr(aws, "_session", counting_session)
    start, clients = threading.Barrier(8), []

    def ask():
        start.wait()
        clients.append(aws.client("glue", region="us-east-1"))

    threads = [threading.Thread(target=ask, daemon=True) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(clients) == 8
    assert len(made) == 1  # made once, by whichever thread came first
    assert all(client is clients[0] for client in clients)
    aws.forget_clients()
