// A stand-in for an RGW gateway on 127.0.0.1: the scripts wait until a gateway answers HTTP.
import * as http from "http";
import { AddressInfo } from "net";

export interface FakeGateway {
    endpoint: string;
    close: () => void;
}

export async function startFakeGateway(): Promise<FakeGateway> {
    const server = http.createServer((_req, res) => res.end("<ListAllMyBucketsResult/>"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}
