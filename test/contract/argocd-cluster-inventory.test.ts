import { argoCdInventoryHarness, clusterInventoryContract } from './cluster-inventory.contract.js';

clusterInventoryContract('ArgoCdClusterInventory (cluster Secrets over the fake kube-apiserver)', argoCdInventoryHarness);
