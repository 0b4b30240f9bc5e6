from tests.infra.cluster.selfcheck import main

main()
