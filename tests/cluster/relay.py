"""A TCP relay on :8000 to HOST:PORT, opening a new upstream connection per client connection.

Runs in a pod of the test cluster: each connection resolves the Service again, so kube-proxy
spreads them over whichever API pods are ready at that moment.
"""

import asyncio
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(HOST, PORT)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(
        pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer), return_exceptions=True
    )


async def main() -> None:
    server = await asyncio.start_server(handle, "0.0.0.0", 8000)
    async with server:
        await server.serve_forever()


asyncio.run(main())
