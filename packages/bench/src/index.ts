/** The mamba-cl benchmark app. @module */
export {};
