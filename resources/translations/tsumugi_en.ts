<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US" sourcelanguage="en_US">
<context>
    <name />
    <message>
        <location filename="../../ui/printing.py" line="323" />
        <source>Print member card</source>
        <translation>Print member card</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="331" />
        <source>Print receipt</source>
        <translation>Print receipt</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="91" />
        <source>Confirm (Enter)</source>
        <translation>Confirm (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="104" />
        <source>Working…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="114" />
        <source>Close (Enter)</source>
        <translation>Close (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="128" />
        <source>%1: %2. New balance: %3</source>
        <translation>%1: %2. New balance: %3</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="131" />
        <source>Not yet confirmed by HQ (未反映): %1</source>
        <translation>Not yet confirmed by HQ (未反映): %1</translation>
    </message>
</context>
<context>
    <name>AdjustDialog</name>
    <message>
        <location filename="../../ui/manager/customers.py" line="536" />
        <source>Adjust points</source>
        <translation>Adjust points</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="542" />
        <source>Apology for a complaint</source>
        <translation>Apology for a complaint</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="542" />
        <source>Correction of a wrong entry</source>
        <translation>Correction of a wrong entry</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="543" />
        <source>Points not awarded at the register</source>
        <translation>Points not awarded at the register</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="543" />
        <source>Goodwill gesture</source>
        <translation>Goodwill gesture</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="546" />
        <source>Note (optional)</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="551" />
        <source>Points (+ to add, − to take away)</source>
        <translation>Points (+ to add, − to take away)</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="552" />
        <source>Reason (required)</source>
        <translation>Reason (required)</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="553" />
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="562" />
        <source>Please enter a reason.</source>
        <translation>Please enter a reason.</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="565" />
        <source>Enter a number of points other than 0.</source>
        <translation>Enter a number of points other than 0.</translation>
    </message>
</context>
<context>
    <name>AuditLogWindow</name>
    <message>
        <location filename="../../ui/manager/audit.py" line="28" />
        <source>Staff number</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="32" />
        <source>All actions</source>
        <translation>All actions</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="33" />
        <source>Points (all)</source>
        <translation>Points (all)</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="33" />
        <source>Point adjustments</source>
        <translation>Point adjustments</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="34" />
        <source>Voids</source>
        <translation>Voids</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="34" />
        <source>Members</source>
        <translation>Members</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="35" />
        <source>Customer list exports</source>
        <translation>Customer list exports</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="35" />
        <source>Needs review</source>
        <translation>Needs review</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="36" />
        <source>Reports</source>
        <translation>Reports</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="36" />
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="36" />
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="39" />
        <source>Between</source>
        <translation>Between</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="46" />
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="77" />
        <source>%1 entries</source>
        <translation>%1 entries</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="446" />
        <source>Date and time</source>
        <translation>Date and time</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="447" />
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="448" />
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="449" />
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="450" />
        <source>Object</source>
        <translation>Object</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="451" />
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>CardsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="368" />
        <source>Card</source>
        <translation>Card</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="369" />
        <source>Number</source>
        <translation>Number</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="370" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="371" />
        <source>Issued</source>
        <translation>Issued</translation>
    </message>
</context>
<context>
    <name>ConflictsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="394" />
        <source>Date and time</source>
        <translation>Date and time</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="395" />
        <source>What happened</source>
        <translation>What happened</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="396" />
        <source>Member number</source>
        <translation>Member number</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="397" />
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="398" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="408" />
        <source>HQ booked %1 pt</source>
        <translation>HQ booked %1 pt</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="413" />
        <source>store %1</source>
        <translation>store %1</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="417" />
        <source>card %1</source>
        <translation>card %1</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="424" />
        <source>HQ did not know the member yet</source>
        <translation>HQ did not know the member yet</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="425" />
        <source>the member's data was deleted at their request</source>
        <translation>the member's data was deleted at their request</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="426" />
        <source>sent for another store's terminal</source>
        <translation>sent for another store's terminal</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="427" />
        <source>HQ had refused the entry it voids</source>
        <translation>HQ had refused the entry it voids</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="428" />
        <source>HQ had refused it before a restore</source>
        <translation>HQ had refused it before a restore</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="429" />
        <source>HQ does not know this kind of event</source>
        <translation>HQ does not know this kind of event</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="430" />
        <source>HQ could not read it: a value was missing or not of the right kind</source>
        <translation>HQ could not read it: a value was missing or not of the right kind</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="435" />
        <source>Not dealt with yet</source>
        <translation>Not dealt with yet</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="437" />
        <source>Acknowledged</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="437" />
        <source>Customer contacted</source>
        <translation>Customer contacted</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="438" />
        <source>Points adjusted</source>
        <translation>Points adjusted</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="439" />
        <source>Withdrawn by HQ</source>
        <translation>Withdrawn by HQ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="439" />
        <source>Dealt with</source>
        <translation>Dealt with</translation>
    </message>
</context>
<context>
    <name>ConflictsWidget</name>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="39" />
        <source>Show items already dealt with</source>
        <translation>Show items already dealt with</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="42" />
        <source>Acknowledge</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="43" />
        <source>Adjust points…</source>
        <translation>Adjust points…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="44" />
        <source>Customer contacted</source>
        <translation>Customer contacted</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="94" />
        <source>Done.</source>
        <translation>Done.</translation>
    </message>
</context>
<context>
    <name>CounterDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="62" />
        <source>Back (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
</context>
<context>
    <name>CounterScreen</name>
    <message>
        <location filename="../../ui/counter.py" line="185" />
        <source>Purchase amount (tax incl.)</source>
        <translation>Purchase amount (tax incl.)</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="204" />
        <source>Earn points</source>
        <translation>Earn points</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="205" />
        <source>Redeem points</source>
        <translation>Redeem points</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="206" />
        <source>Use coupon</source>
        <translation>Use coupon</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="207" />
        <source>Void last</source>
        <translation>Void last</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="208" />
        <source>New member</source>
        <translation>New member</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="209" />
        <source>Migrate paper card</source>
        <translation>Migrate paper card</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="210" />
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="211" />
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="212" />
        <source>Manager menu</source>
        <translation>Manager menu</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="213" />
        <source>Import legacy ledger</source>
        <translation>Import legacy ledger</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="376" />
        <source>Choose a member from the list, or press Esc to close the search.</source>
        <translation>Choose a member from the list, or press Esc to close the search.</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="380" />
        <source>Scan the member card first.</source>
        <translation>Scan the member card first.</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="389" />
        <source>Enter the purchase amount first.</source>
        <translation>Enter the purchase amount first.</translation>
    </message>
</context>
<context>
    <name>CouponDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="305" />
        <source>Use a coupon</source>
        <translation>Use a coupon</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="321" />
        <source>This member has no coupons to use.</source>
        <translation>This member has no coupons to use.</translation>
    </message>
</context>
<context>
    <name>CouponTableModel</name>
    <message>
        <location filename="../../ui/models.py" line="84" />
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="85" />
        <source>Value</source>
        <translation>Value</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="86" />
        <source>Valid until</source>
        <translation>Valid until</translation>
    </message>
</context>
<context>
    <name>CouponsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="379" />
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="380" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="381" />
        <source>Expiry</source>
        <translation>Expiry</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="382" />
        <source>Used</source>
        <translation>Used</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../ui/crash.py" line="38" />
        <source>Tsumugi: an error occurred</source>
        <translation>Tsumugi: an error occurred</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="42" />
        <source>Something went wrong, but the counter keeps running. If it happens again, copy this report and send it to support.</source>
        <translation>Something went wrong, but the counter keeps running. If it happens again, copy this report and send it to support.</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="54" />
        <source>Copy report</source>
        <translation>Copy report</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="58" />
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/crash.py" line="71" />
        <source>Tsumugi: %n error(s) occurred</source>
        <translation><numerusform>Tsumugi: %n error(s) occurred</numerusform><numerusform>Tsumugi: %n error(s) occurred</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="75" />
        <source>Copied. Paste it into an e-mail or chat to support.</source>
        <translation>Copied. Paste it into an e-mail or chat to support.</translation>
    </message>
</context>
<context>
    <name>CustomerTableModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="115" />
        <source>Member number</source>
        <translation>Member number</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="116" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="117" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="118" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="119" />
        <source>Tier</source>
        <translation>Tier</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="120" />
        <source>Balance</source>
        <translation>Balance</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="121" />
        <source>Lifetime spend</source>
        <translation>Lifetime spend</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="122" />
        <source>Last visit</source>
        <translation>Last visit</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="123" />
        <source>Segments</source>
        <translation>Segments</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="124" />
        <source>Home store</source>
        <translation>Home store</translation>
    </message>
</context>
<context>
    <name>CustomersWindow</name>
    <message>
        <location filename="../../ui/manager/customers.py" line="93" />
        <source>Search: name kana, phone number, member number or card number</source>
        <translation>Search: name kana, phone number, member number or card number</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="96" />
        <source>All tiers</source>
        <translation>All tiers</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="99" />
        <source>No rank</source>
        <translation>No rank</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="101" />
        <source>All segments</source>
        <translation>All segments</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="106" />
        <source>Marketing consent: any</source>
        <translation>Marketing consent: any</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="107" />
        <source>Consented</source>
        <translation>Consented</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="108" />
        <source>Not consented</source>
        <translation>Not consented</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="110" />
        <source>All home stores</source>
        <translation>All home stores</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="111" />
        <source>Last visit</source>
        <translation>Last visit</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="120" />
        <source>Export CSV…</source>
        <translation>Export CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="121" />
        <source>Refresh segments</source>
        <translation>Refresh segments</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="224" />
        <source>Searching…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="245" />
        <source>%1 members</source>
        <translation>%1 members</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="247" />
        <source>More than %1 members</source>
        <translation>More than %1 members</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="263" />
        <source>Refreshing segments…</source>
        <translation>Refreshing segments…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="280" />
        <location filename="../../ui/manager/customers.py" line="286" />
        <source>Export CSV</source>
        <translation>Export CSV</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="285" />
        <source>Exported %1 members</source>
        <translation>Exported %1 members</translation>
    </message>
</context>
<context>
    <name>EarnDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="148" />
        <source>Earn points</source>
        <translation>Earn points</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="152" />
        <source>Purchase amount (tax incl.): %1</source>
        <translation>Purchase amount (tax incl.): %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="159" />
        <source>Product categories in this purchase (touch to choose):</source>
        <translation>Product categories in this purchase (touch to choose):</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="191" />
        <source>Calculating points…</source>
        <translation>Calculating points…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="203" />
        <source>Points to add: %1</source>
        <translation>Points to add: %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="205" />
        <source>Press Enter to confirm.</source>
        <translation>Press Enter to confirm.</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../ui/manager/customers.py" line="294" />
        <source>Export CSV</source>
        <translation>Export CSV</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="296" />
        <source>Member number</source>
        <translation>Member number</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="296" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="296" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="297" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="297" />
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="297" />
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="298" />
        <source>Tier</source>
        <translation>Tier</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="298" />
        <source>Balance</source>
        <translation>Balance</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="298" />
        <source>Lifetime spend</source>
        <translation>Lifetime spend</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="299" />
        <source>Last visit</source>
        <translation>Last visit</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="299" />
        <source>Home store</source>
        <translation>Home store</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="300" />
        <source>Marketing consent</source>
        <translation>Marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="300" />
        <source>Registered</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="301" />
        <source>Segments</source>
        <translation>Segments</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="301" />
        <source>RFM</source>
        <translation>RFM</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="301" />
        <source>Churn score</source>
        <translation>Churn score</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="303" />
        <source>Personal data (name, kana, phone, e-mail, birthday) is exported only when you tick it. The export is recorded in the audit log.</source>
        <translation>Personal data (name, kana, phone, e-mail, birthday) is exported only when you tick it. The export is recorded in the audit log.</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../ui/wizard.py" line="58" />
        <source>Tsumugi first-run setup</source>
        <translation>Tsumugi first-run setup</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="61" />
        <source>Next</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="62" />
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="63" />
        <source>Finish</source>
        <translation>Finish</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="64" />
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="68" />
        <source>Welcome to Tsumugi</source>
        <translation>Welcome to Tsumugi</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="70" />
        <source>This sets up this computer as a loyalty counter. It takes a minute.</source>
        <translation>This sets up this computer as a loyalty counter. It takes a minute.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="76" />
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="78" />
        <source>Set up a real store</source>
        <translation>Set up a real store</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="79" />
        <source>Try a demo store (sample members, history and a coupon)</source>
        <translation>Try a demo store (sample members, history and a coupon)</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="90" />
        <source>Store and terminal</source>
        <translation>Store and terminal</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="94" />
        <source>Store id</source>
        <translation>Store id</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="95" />
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="96" />
        <source>Connecting to HQ can be done later, in the settings. The counter works offline.</source>
        <translation>Connecting to HQ can be done later, in the settings. The counter works offline.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="105" />
        <source>First store manager</source>
        <translation>First store manager</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="114" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="115" />
        <source>PIN (4 to 8 digits)</source>
        <translation>PIN (4 to 8 digits)</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="116" />
        <source>PIN again</source>
        <translation>PIN again</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="117" />
        <source>The manager signs in with staff number 1.</source>
        <translation>The manager signs in with staff number 1.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="124" />
        <source>Keeping the store's keys</source>
        <translation>Keeping the store's keys</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="128" />
        <source>This computer has no OS keyring, so, as you chose, the store's keys are kept in a key file readable only by this user (weaker):</source>
        <translation>This computer has no OS keyring, so, as you chose, the store's keys are kept in a key file readable only by this user (weaker):</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="136" />
        <source>The store's signing key will be kept in this computer's OS keyring.</source>
        <translation>The store's signing key will be kept in this computer's OS keyring.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="134" />
        <source>The status bar will show that the weaker key file is in use.</source>
        <translation>The status bar will show that the weaker key file is in use.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="144" />
        <source>A store id is letters and digits, e.g. S001.</source>
        <translation>A store id is letters and digits, e.g. S001.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="150" />
        <source>Please enter a name.</source>
        <translation>Please enter a name.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="154" />
        <source>A PIN is 4 to 8 digits.</source>
        <translation>A PIN is 4 to 8 digits.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="157" />
        <source>The two PINs differ.</source>
        <translation>The two PINs differ.</translation>
    </message>
</context>
<context>
    <name>GroupModel</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="67" />
        <source>Group</source>
        <translation>Group</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="68" />
        <source>Rows</source>
        <translation>Rows</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="69" />
        <source>Existing members</source>
        <translation>Existing members</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="70" />
        <source>Same</source>
        <translation>Same</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="71" />
        <source>Decision</source>
        <translation>Decision</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="65" />
        <source>phone</source>
        <translation>phone</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="65" />
        <source>e-mail</source>
        <translation>e-mail</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="65" />
        <source>kana + birthday</source>
        <translation>kana + birthday</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="339" />
        <source>Date and time</source>
        <translation>Date and time</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="340" />
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="341" />
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="342" />
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="343" />
        <source>Balance after</source>
        <translation>Balance after</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="344" />
        <source>Breakdown</source>
        <translation>Breakdown</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="345" />
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="346" />
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="347" />
        <source>Store</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="348" />
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
</context>
<context>
    <name>HistoryTableModel</name>
    <message>
        <location filename="../../ui/models.py" line="99" />
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="100" />
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="101" />
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="102" />
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
</context>
<context>
    <name>IssueModel</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="53" />
        <source>Row</source>
        <translation>Row</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="54" />
        <source>Column</source>
        <translation>Column</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="55" />
        <source>Value</source>
        <translation>Value</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="56" />
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
</context>
<context>
    <name>LegacyImport</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="76" />
        <source>Merge (名寄せ)</source>
        <translation>Merge (名寄せ)</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="76" />
        <source>Keep separate</source>
        <translation>Keep separate</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="76" />
        <source>Skip</source>
        <translation>Skip</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="82" />
        <source>No name kana, and the name is not in kana.</source>
        <translation>No name kana, and the name is not in kana.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="83" />
        <source>Name kana must be written in kana.</source>
        <translation>Name kana must be written in kana.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="84" />
        <source>The phone number does not look right.</source>
        <translation>The phone number does not look right.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="85" />
        <source>The e-mail address does not look right.</source>
        <translation>The e-mail address does not look right.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="86" />
        <source>Not a real date.</source>
        <translation>Not a real date.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="87" />
        <source>The date is in the future.</source>
        <translation>The date is in the future.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="88" />
        <source>Points must be a whole number.</source>
        <translation>Points must be a whole number.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="89" />
        <source>Points cannot be negative.</source>
        <translation>Points cannot be negative.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="90" />
        <source>Too many points for one member.</source>
        <translation>Too many points for one member.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="91" />
        <source>Stamps must be a whole number.</source>
        <translation>Stamps must be a whole number.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="92" />
        <source>The card number does not look right.</source>
        <translation>The card number does not look right.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="93" />
        <source>The card number's check digit is wrong.</source>
        <translation>The card number's check digit is wrong.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="94" />
        <source>This card was cancelled.</source>
        <translation>This card was cancelled.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="95" />
        <source>The same row appears earlier in the file.</source>
        <translation>The same row appears earlier in the file.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="96" />
        <source>Duplicate, skipped.</source>
        <translation>Duplicate, skipped.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="99" />
        <source>Card already migrated (移行済み) on %1 at store %2 to member %3.</source>
        <translation>Card already migrated (移行済み) on %1 at store %2 to member %3.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="103" />
        <source>The same card number is on row %1.</source>
        <translation>The same card number is on row %1.</translation>
    </message>
</context>
<context>
    <name>LegacyImportWindow</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="120" />
        <source>Legacy ledger import</source>
        <translation>Legacy ledger import</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="126" />
        <source>No file chosen.</source>
        <translation>No file chosen.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="130" />
        <source>Auto</source>
        <translation>Auto</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="132" />
        <source>Encoding</source>
        <translation>Encoding</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="134" />
        <source>Choose file…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="146" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="146" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="146" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="147" />
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="147" />
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="147" />
        <source>Card number</source>
        <translation>Card number</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="148" />
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="148" />
        <source>Stamps</source>
        <translation>Stamps</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="148" />
        <source>Last visit</source>
        <translation>Last visit</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="149" />
        <source>Marketing consent</source>
        <translation>Marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="157" />
        <source>Load mapping…</source>
        <translation>Load mapping…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="159" />
        <source>Save mapping…</source>
        <translation>Save mapping…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="168" />
        <location filename="../../ui/legacy_import.py" line="318" />
        <location filename="../../ui/legacy_import.py" line="338" />
        <source>Column mapping</source>
        <translation>Column mapping</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="172" />
        <source>Problems</source>
        <translation>Problems</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="180" />
        <source>Default</source>
        <translation>Default</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="189" />
        <source>Selected group</source>
        <translation>Selected group</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="191" />
        <source>Apply</source>
        <translation>Apply</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="195" />
        <source>Duplicates</source>
        <translation>Duplicates</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="199" />
        <source>Skip bad rows</source>
        <translation>Skip bad rows</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="200" />
        <source>Stop if any row is bad</source>
        <translation>Stop if any row is bad</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="211" />
        <source>Dry run (no changes)</source>
        <translation>Dry run (no changes)</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="213" />
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="215" />
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="249" />
        <source>Cancelled: nothing was changed.</source>
        <translation>Cancelled: nothing was changed.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="250" />
        <source>Some rows have problems, so nothing was imported.</source>
        <translation>Some rows have problems, so nothing was imported.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="251" />
        <source>The file cannot be read with this encoding; choose another.</source>
        <translation>The file cannot be read with this encoding; choose another.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="252" />
        <source>The encoding could not be detected; choose one.</source>
        <translation>The encoding could not be detected; choose one.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="253" />
        <source>A mapped column is not in this file.</source>
        <translation>A mapped column is not in this file.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="254" />
        <source>Map at least the name kana column.</source>
        <translation>Map at least the name kana column.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="255" />
        <source>Old .xls files cannot be read: save as .xlsx or CSV.</source>
        <translation>Old .xls files cannot be read: save as .xlsx or CSV.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="256" />
        <source>Choose an .xlsx or .csv file.</source>
        <translation>Choose an .xlsx or .csv file.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="257" />
        <source>This file cannot be read.</source>
        <translation>This file cannot be read.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="258" />
        <source>This is not a column mapping file.</source>
        <translation>This is not a column mapping file.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="263" />
        <source>Legacy ledger</source>
        <translation>Legacy ledger</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="264" />
        <source>Ledgers (*.xlsx *.csv *.tsv *.txt)</source>
        <translation>Ledgers (*.xlsx *.csv *.tsv *.txt)</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="275" />
        <source>Reading the file…</source>
        <translation>Reading the file…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="294" />
        <source>(not used)</source>
        <translation>(not used)</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="306" />
        <source>%1 columns. Check the mapping, then run a dry run.</source>
        <translation>%1 columns. Check the mapping, then run a dry run.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="394" />
        <source>Dry run: nothing will be written…</source>
        <translation>Dry run: nothing will be written…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="416" />
        <source>Importing…</source>
        <translation>Importing…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="430" />
        <source>Cancelling…</source>
        <translation>Cancelling…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="433" />
        <source>Dry run — nothing was written.</source>
        <translation>Dry run — nothing was written.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="433" />
        <source>Imported.</source>
        <translation>Imported.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="434" />
        <source>Members created: %1, matched: %2; points migrated: %3; rows imported: %4, skipped: %5, already imported: %6.</source>
        <translation>Members created: %1, matched: %2; points migrated: %3; rows imported: %4, skipped: %5, already imported: %6.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="441" />
        <source>Some rows have problems: the import would stop.</source>
        <translation>Some rows have problems: the import would stop.</translation>
    </message>
</context>
<context>
    <name>LotsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="358" />
        <source>Expiry</source>
        <translation>Expiry</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="359" />
        <source>Remaining</source>
        <translation>Remaining</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="360" />
        <source>Earned</source>
        <translation>Earned</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="134" />
        <source>Welcome to Tsumugi</source>
        <translation>Welcome to Tsumugi</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="138" />
        <source>This computer is not set up as a counter yet.</source>
        <translation>This computer is not set up as a counter yet.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="141" />
        <source>Start setup</source>
        <translation>Start setup</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="175" />
        <source>Not connected</source>
        <translation>Not connected</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="177" />
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="177" />
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="178" />
        <source>%1 · unsent %2</source>
        <translation>%1 · unsent %2</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="180" />
        <source>last sync %1</source>
        <translation>last sync %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="186" />
        <source>Weaker key file in use (no OS keyring)</source>
        <translation>Weaker key file in use (no OS keyring)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="192" />
        <source>Staff: %1 (%2)</source>
        <translation>Staff: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="193" />
        <source>Signed out</source>
        <translation>Signed out</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="212" />
        <source>Needs review: %1</source>
        <translation>Needs review: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="215" />
        <source>Open the manager menu (F9) to see what needs review.</source>
        <translation>Open the manager menu (F9) to see what needs review.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="216" />
        <source>Please tell the store manager.</source>
        <translation>Please tell the store manager.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="264" />
        <source>Sync with HQ could not start: %1</source>
        <translation>Sync with HQ could not start: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="328" />
        <location filename="../../ui/main_window.py" line="595" />
        <source>Camera off</source>
        <translation>Camera off</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="334" />
        <source>Serial scanner %1 is not available</source>
        <translation>Serial scanner %1 is not available</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="344" />
        <source>Camera on</source>
        <translation>Camera on</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="356" />
        <source>Camera not available</source>
        <translation>Camera not available</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="357" />
        <source>No camera</source>
        <translation>No camera</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="358" />
        <source>The camera could not be used; scan with the USB scanner.</source>
        <translation>The camera could not be used; scan with the USB scanner.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="378" />
        <source>Sign in first, then scan.</source>
        <translation>Sign in first, then scan.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="392" />
        <source>The input method (IME) changed the scan. Switch the IME off (半角/全角 key) and scan again.</source>
        <translation>The input method (IME) changed the scan. Switch the IME off (半角/全角 key) and scan again.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="394" />
        <source>IME is on: switch it off and scan again.</source>
        <translation>IME is on: switch it off and scan again.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="403" />
        <source>Part of a scan was lost; please scan again.</source>
        <translation>Part of a scan was lost; please scan again.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="419" />
        <source>Creating the store…</source>
        <translation>Creating the store…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="422" />
        <source>The store is ready. Sign in as staff number %1.</source>
        <translation>The store is ready. Sign in as staff number %1.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="470" />
        <source>Signed out after a quiet while.</source>
        <translation>Signed out after a quiet while.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="515" />
        <source>Reports created: %1</source>
        <translation>Reports created: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="599" />
        <source>Settings saved.</source>
        <translation>Settings saved.</translation>
    </message>
</context>
<context>
    <name>Manager</name>
    <message>
        <location filename="../../ui/manager/__init__.py" line="26" />
        <source>Store manager</source>
        <translation>Store manager</translation>
    </message>
    <message>
        <location filename="../../ui/manager/__init__.py" line="27" />
        <source>Only a store manager can open these screens. Please sign in with a manager's staff number.</source>
        <translation>Only a store manager can open these screens. Please sign in with a manager's staff number.</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="17" />
        <source>Overdraft booked by HQ</source>
        <translation>Overdraft booked by HQ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="18" />
        <location filename="../../ui/manager/conflicts.py" line="19" />
        <source>Paper card migrated at another store first</source>
        <translation>Paper card migrated at another store first</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="20" />
        <source>Coupon already used at another store</source>
        <translation>Coupon already used at another store</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="21" />
        <source>Rejected by HQ</source>
        <translation>Rejected by HQ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="22" />
        <source>Unknown member</source>
        <translation>Unknown member</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="23" />
        <source>Member merged by HQ</source>
        <translation>Member merged by HQ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="27" />
        <source>Only a store manager can do this.</source>
        <translation>Only a store manager can do this.</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="28" />
        <source>Please enter a reason.</source>
        <translation>Please enter a reason.</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="29" />
        <source>Enter a number of points other than 0.</source>
        <translation>Enter a number of points other than 0.</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="30" />
        <source>The member does not have enough points.</source>
        <translation>The member does not have enough points.</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="31" />
        <source>This item was already dealt with.</source>
        <translation>This item was already dealt with.</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="53" />
        <source>VIP (top 10%)</source>
        <translation>VIP (top 10%)</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="53" />
        <source>Churn risk</source>
        <translation>Churn risk</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="53" />
        <source>Win-back</source>
        <translation>Win-back</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="523" />
        <source>Earn</source>
        <translation>Earn</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="523" />
        <source>Redeem</source>
        <translation>Redeem</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="523" />
        <source>Adjustment</source>
        <translation>Adjustment</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="523" />
        <source>Void</source>
        <translation>Void</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="524" />
        <source>Expired</source>
        <translation>Expired</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="524" />
        <source>Paper card migration</source>
        <translation>Paper card migration</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="524" />
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
</context>
<context>
    <name>ManagerWindow</name>
    <message>
        <location filename="../../ui/manager/window.py" line="52" />
        <source>Store manager</source>
        <translation>Store manager</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="63" />
        <source>Customer list</source>
        <translation>Customer list</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="64" />
        <location filename="../../ui/manager/window.py" line="75" />
        <source>Needs review</source>
        <translation>Needs review</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="65" />
        <source>Reports</source>
        <translation>Reports</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="66" />
        <source>Audit log</source>
        <translation>Audit log</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="67" />
        <source>Sync status</source>
        <translation>Sync status</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="74" />
        <source>Needs review (%1)</source>
        <translation>Needs review (%1)</translation>
    </message>
</context>
<context>
    <name>MemberPanel</name>
    <message>
        <location filename="../../ui/counter.py" line="38" />
        <source>Scan the member card</source>
        <translation>Scan the member card</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="71" />
        <source>Balance</source>
        <translation>Balance</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="118" />
        <source>★ Promoted to %1</source>
        <translation>★ Promoted to %1</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="119" />
        <source>★ Rank changed to %1</source>
        <translation>★ Rank changed to %1</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="122" />
        <source>★ Now a VIP member</source>
        <translation>★ Now a VIP member</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="123" />
        <source>★ New member tag: %1</source>
        <translation>★ New member tag: %1</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="137" />
        <source>Member no. %1</source>
        <translation>Member no. %1</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="141" />
        <source>HQ confirmed %1 / not yet confirmed (未反映) %2</source>
        <translation>HQ confirmed %1 / not yet confirmed (未反映) %2</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="144" />
        <source>All confirmed by HQ</source>
        <translation>All confirmed by HQ</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="145" />
        <source>Coupons available: %1</source>
        <translation>Coupons available: %1</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="148" />
        <source>● Birthday today</source>
        <translation>● Birthday today</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="150" />
        <source>● Birthday this month</source>
        <translation>● Birthday this month</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="152" />
        <source>● %1 expiring within 30 days</source>
        <translation>● %1 expiring within 30 days</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="155" />
        <source>● Coupon ready: %1 (until %2)</source>
        <translation>● Coupon ready: %1 (until %2)</translation>
    </message>
</context>
<context>
    <name>MemberSearchBox</name>
    <message>
        <location filename="../../ui/search.py" line="63" />
        <source>Search: kana, phone or member number (Ctrl+F)</source>
        <translation>Search: kana, phone or member number (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../ui/search.py" line="140" />
        <source>Searching…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <location filename="../../ui/search.py" line="158" />
        <source>No member found.</source>
        <translation>No member found.</translation>
    </message>
</context>
<context>
    <name>MemberSearchModel</name>
    <message>
        <location filename="../../ui/models.py" line="125" />
        <source>Member no.</source>
        <translation>Member no.</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="126" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="127" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="128" />
        <source>Phone</source>
        <translation>Phone</translation>
    </message>
</context>
<context>
    <name>MigratePaperCardDialog</name>
    <message>
        <location filename="../../ui/migrate.py" line="102" />
        <source>Migrate paper card</source>
        <translation>Migrate paper card</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="102" />
        <location filename="../../ui/migrate.py" line="242" />
        <location filename="../../ui/migrate.py" line="243" />
        <location filename="../../ui/migrate.py" line="394" />
        <source>Next (Enter)</source>
        <translation>Next (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="125" />
        <source>Scan the paper card's barcode, or type its number.</source>
        <translation>Scan the paper card's barcode, or type its number.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="138" />
        <source>What does the card hold?</source>
        <translation>What does the card hold?</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="140" />
        <source>Stamps</source>
        <translation>Stamps</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="141" />
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="164" />
        <source>Optional: take a photo of the card as evidence (kept on this PC).</source>
        <translation>Optional: take a photo of the card as evidence (kept on this PC).</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="165" />
        <source>Take photo</source>
        <translation>Take photo</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="170" />
        <source>No camera is set up on this PC.</source>
        <translation>No camera is set up on this PC.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="172" />
        <source>No photo.</source>
        <translation>No photo.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="178" />
        <source>Whose card is it? Scan their member code, pick a suggestion, or register a new member.</source>
        <translation>Whose card is it? Scan their member code, pick a suggestion, or register a new member.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="180" />
        <source>Member code or member number</source>
        <translation>Member code or member number</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="186" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="188" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="190" />
        <source>Birthday (YYYY/MM/DD)</source>
        <translation>Birthday (YYYY/MM/DD)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="193" />
        <source>Suggest</source>
        <translation>Suggest</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="206" />
        <source>Marketing consent</source>
        <translation>Marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="208" />
        <source>Register new member</source>
        <translation>Register new member</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="241" />
        <source>Confirm (Enter)</source>
        <translation>Confirm (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="241" />
        <source>Close (Enter)</source>
        <translation>Close (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="242" />
        <source>Skip (Enter)</source>
        <translation>Skip (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="282" />
        <location filename="../../ui/migrate.py" line="490" />
        <source>Enter the stamps or points on the card.</source>
        <translation>Enter the stamps or points on the card.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="291" />
        <source>Choose the member first.</source>
        <translation>Choose the member first.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="319" />
        <source>Scan or type the card number.</source>
        <translation>Scan or type the card number.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="321" />
        <source>Checking the card…</source>
        <translation>Checking the card…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="327" />
        <location filename="../../ui/migrate.py" line="439" />
        <source>Card %1</source>
        <translation>Card %1</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="359" />
        <source>%1 stamps × %2 pt</source>
        <translation>%1 stamps × %2 pt</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="362" />
        <source>Capped at %1 pt per card (the card holds %2 pt)</source>
        <translation>Capped at %1 pt per card (the card holds %2 pt)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="364" />
        <location filename="../../ui/migrate.py" line="440" />
        <source>Points to migrate: %1</source>
        <translation>Points to migrate: %1</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="372" />
        <source>Taking the photo…</source>
        <translation>Taking the photo…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="391" />
        <source>Photo taken (%1 KB).</source>
        <translation>Photo taken (%1 KB).</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="392" />
        <source>Take again</source>
        <translation>Take again</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="396" />
        <source>The camera could not take a photo; you can go on without one.</source>
        <translation>The camera could not take a photo; you can go on without one.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="415" />
        <source>Registering…</source>
        <translation>Registering…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="435" />
        <source>Member %1 (%2)</source>
        <translation>Member %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="443" />
        <source>Photo: yes</source>
        <translation>Photo: yes</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="443" />
        <source>Photo: none</source>
        <translation>Photo: none</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="444" />
        <source>Press Enter to confirm.</source>
        <translation>Press Enter to confirm.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="453" />
        <source>Working…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="460" />
        <source>Paper card migrated: %1. New balance: %2</source>
        <translation>Paper card migrated: %1. New balance: %2</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="463" />
        <source>Not yet confirmed by HQ (未反映): %1</source>
        <translation>Not yet confirmed by HQ (未反映): %1</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="482" />
        <source>Already migrated (移行済み): on %1 at store %2, to member %3.</source>
        <translation>Already migrated (移行済み): on %1 at store %2, to member %3.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="486" />
        <source>The card number's check digit is wrong: please check the number.</source>
        <translation>The card number's check digit is wrong: please check the number.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="487" />
        <source>This does not look like a paper card number.</source>
        <translation>This does not look like a paper card number.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="488" />
        <source>This is a member code, not a paper card.</source>
        <translation>This is a member code, not a paper card.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="489" />
        <source>This card was cancelled and cannot be migrated.</source>
        <translation>This card was cancelled and cannot be migrated.</translation>
    </message>
</context>
<context>
    <name>NewMemberDialog</name>
    <message>
        <location filename="../../ui/member.py" line="35" />
        <location filename="../../ui/member.py" line="39" />
        <source>New member registration</source>
        <translation>New member registration</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="49" />
        <source>e.g. ヤマダハナコ</source>
        <translation>e.g. ヤマダハナコ</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="54" />
        <source>Agrees to receive news and offers</source>
        <translation>Agrees to receive news and offers</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="55" />
        <source>Name kana (required)</source>
        <translation>Name kana (required)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="56" />
        <source>Name (optional)</source>
        <translation>Name (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="57" />
        <source>Phone number (optional)</source>
        <translation>Phone number (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="58" />
        <source>E-mail (optional)</source>
        <translation>E-mail (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="70" />
        <source>The customer can photograph this code; it is their member card.</source>
        <translation>The customer can photograph this code; it is their member card.</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="83" />
        <source>Back (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="86" />
        <source>Print card</source>
        <translation>Print card</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="89" />
        <source>Register (Enter)</source>
        <translation>Register (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="107" />
        <source>Registering…</source>
        <translation>Registering…</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="121" />
        <source>Registered. Member no. %1</source>
        <translation>Registered. Member no. %1</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="129" />
        <source>Printing is not set up yet</source>
        <translation>Printing is not set up yet</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="130" />
        <source>Done (Enter)</source>
        <translation>Done (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="150" />
        <source>Sent to the printer.</source>
        <translation>Sent to the printer.</translation>
    </message>
</context>
<context>
    <name>NoKeyringDialog</name>
    <message>
        <location filename="../../ui/keystore.py" line="33" />
        <location filename="../../ui/keystore.py" line="37" />
        <source>No OS keyring on this computer</source>
        <translation>No OS keyring on this computer</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="41" />
        <source>Tsumugi keeps the store's keys (the database key and the signing key) in the OS keyring. This computer has none, or it is locked, so the keys cannot be kept safely.</source>
        <translation>Tsumugi keeps the store's keys (the database key and the signing key) in the OS keyring. This computer has none, or it is locked, so the keys cannot be kept safely.</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="43" />
        <source>What to do: install or unlock a keyring, then start Tsumugi again. On Linux that is GNOME Keyring or KWallet; Windows and macOS have one built in.</source>
        <translation>What to do: install or unlock a keyring, then start Tsumugi again. On Linux that is GNOME Keyring or KWallet; Windows and macOS have one built in.</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="45" />
        <source>Or, knowing it is weaker, keep the keys in a key file in the user data folder, readable only by this user. The status bar and the log will show that it is in use.</source>
        <translation>Or, knowing it is weaker, keep the keys in a key file in the user data folder, readable only by this user. The status bar and the log will show that it is in use.</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="55" />
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="57" />
        <source>Use a key file (weaker)</source>
        <translation>Use a key file (weaker)</translation>
    </message>
</context>
<context>
    <name>NumericKeypad</name>
    <message>
        <location filename="../../ui/keypad.py" line="24" />
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../ui/keypad.py" line="25" />
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
</context>
<context>
    <name>PreviewModel</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>Row</source>
        <translation>Row</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="42" />
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="42" />
        <source>Card number</source>
        <translation>Card number</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="42" />
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="42" />
        <source>Last visit</source>
        <translation>Last visit</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="44" />
        <source>Problems</source>
        <translation>Problems</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../../ui/manager/customers.py" line="337" />
        <source>Customer details</source>
        <translation>Customer details</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="351" />
        <source>Marketing consent</source>
        <translation>Marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="353" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="354" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="355" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="356" />
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="357" />
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="360" />
        <source>Save changes</source>
        <translation>Save changes</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="361" />
        <source>Adjust points…</source>
        <translation>Adjust points…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="369" />
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="374" />
        <source>Purchase history</source>
        <translation>Purchase history</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="375" />
        <source>Points and expiry</source>
        <translation>Points and expiry</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="376" />
        <source>Coupons</source>
        <translation>Coupons</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="377" />
        <source>Cards</source>
        <translation>Cards</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="385" />
        <source>Points and spend over time</source>
        <translation>Points and spend over time</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="388" />
        <source>Chart</source>
        <translation>Chart</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="409" />
        <source>Balance: %1 (pending: %2)   Expiring within 30 days: %3</source>
        <translation>Balance: %1 (pending: %2)   Expiring within 30 days: %3</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="422" />
        <source>RFM %1  Churn score %2  %3</source>
        <translation>RFM %1  Churn score %2  %3</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="424" />
        <source>Registered %1 · Last visit %2 · Lifetime spend %3 · %4 entries</source>
        <translation>Registered %1 · Last visit %2 · Lifetime spend %3 · %4 entries</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="459" />
        <source>Balance (pt)</source>
        <translation>Balance (pt)</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="474" />
        <source>Spend per month (¥)</source>
        <translation>Spend per month (¥)</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="504" />
        <source>Nothing changed.</source>
        <translation>Nothing changed.</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="508" />
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
</context>
<context>
    <name>RedeemDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="228" />
        <source>Redeem points</source>
        <translation>Redeem points</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="234" />
        <source>Balance: %1</source>
        <translation>Balance: %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="236" />
        <source>Bill: %1</source>
        <translation>Bill: %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="240" />
        <source>Points to use</source>
        <translation>Points to use</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="256" />
        <source>Enter the points to use.</source>
        <translation>Enter the points to use.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="290" />
        <source>Offline: capped at %1.</source>
        <translation>Offline: capped at %1.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="295" />
        <source>Discount: %1</source>
        <translation>Discount: %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="298" />
        <source>Offline: capped at %1 a day; HQ confirms when the network is back.</source>
        <translation>Offline: capped at %1 a day; HQ confirms when the network is back.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="299" />
        <source>Offline: HQ confirms when the network is back.</source>
        <translation>Offline: HQ confirms when the network is back.</translation>
    </message>
</context>
<context>
    <name>ReportsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="459" />
        <source>Report</source>
        <translation>Report</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="459" />
        <source>Daily report</source>
        <translation>Daily report</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="460" />
        <source>Month-end report</source>
        <translation>Month-end report</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="461" />
        <source>Period</source>
        <translation>Period</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="462" />
        <source>Generated</source>
        <translation>Generated</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="463" />
        <source>Files</source>
        <translation>Files</translation>
    </message>
</context>
<context>
    <name>ReportsWindow</name>
    <message>
        <location filename="../../ui/manager/reports.py" line="38" />
        <source>Daily report</source>
        <translation>Daily report</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="39" />
        <source>Month-end report</source>
        <translation>Month-end report</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="40" />
        <source>Create</source>
        <translation>Create</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="41" />
        <source>Print…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="79" />
        <source>Creating…</source>
        <translation>Creating…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="82" />
        <source>Created.</source>
        <translation>Created.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings.py" line="64" />
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="80" />
        <location filename="../../ui/settings.py" line="84" />
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="89" />
        <source>Store id</source>
        <translation>Store id</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="90" />
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="91" />
        <source>Void window</source>
        <translation>Void window</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="92" />
        <source>Idle sign-out after</source>
        <translation>Idle sign-out after</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="93" />
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="94" />
        <source>Store</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="108" />
        <source>e.g. /dev/ttyACM0 or COM3 (empty: none)</source>
        <translation>e.g. /dev/ttyACM0 or COM3 (empty: none)</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="109" />
        <source>Sound on a good and a refused scan</source>
        <translation>Sound on a good and a refused scan</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="111" />
        <source>Max. time between scanner keys</source>
        <translation>Max. time between scanner keys</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="112" />
        <source>Shortest scan</source>
        <translation>Shortest scan</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="113" />
        <source>Scanner prefix</source>
        <translation>Scanner prefix</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="114" />
        <source>Scanner suffix</source>
        <translation>Scanner suffix</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="115" />
        <source>Serial scanner port</source>
        <translation>Serial scanner port</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="117" />
        <source>Scanner</source>
        <translation>Scanner</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="122" />
        <source>0 = first webcam; or a video file / image folder; empty = off</source>
        <translation>0 = first webcam; or a video file / image folder; empty = off</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="124" />
        <source>e.g. network:192.168.1.50 or file:/tmp/slip.bin</source>
        <translation>e.g. network:192.168.1.50 or file:/tmp/slip.bin</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="125" />
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="126" />
        <source>Printer</source>
        <translation>Printer</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="127" />
        <source>Camera and printer</source>
        <translation>Camera and printer</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="136" />
        <source>from HQ (python -m hq stores add)</source>
        <translation>from HQ (python -m hq stores add)</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="137" />
        <source>Connect to HQ</source>
        <translation>Connect to HQ</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="142" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="143" />
        <source>HQ address</source>
        <translation>HQ address</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="144" />
        <source>One-time code</source>
        <translation>One-time code</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="148" />
        <source>HQ</source>
        <translation>HQ</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="156" />
        <source>Back (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="158" />
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="168" />
        <source>Connected to HQ: %1</source>
        <translation>Connected to HQ: %1</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="169" />
        <source>Not connected to HQ. The counter works offline.</source>
        <translation>Not connected to HQ. The counter works offline.</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="175" />
        <source>Enter HQ's address and the one-time code.</source>
        <translation>Enter HQ's address and the one-time code.</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="180" />
        <source>Connecting to HQ…</source>
        <translation>Connecting to HQ…</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="187" />
        <source>Connected. Sync with HQ starts now.</source>
        <translation>Connected. Sync with HQ starts now.</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../../ui/signin.py" line="26" />
        <source>Staff sign-in</source>
        <translation>Staff sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="30" />
        <source>Store %1 / terminal %2</source>
        <translation>Store %1 / terminal %2</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="43" />
        <source>Staff number</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="44" />
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="53" />
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="80" />
        <source>Enter your staff number and PIN.</source>
        <translation>Enter your staff number and PIN.</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="84" />
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
</context>
<context>
    <name>SuggestionModel</name>
    <message>
        <location filename="../../ui/migrate.py" line="74" />
        <source>Member number</source>
        <translation>Member number</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="75" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="76" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="77" />
        <source>Match</source>
        <translation>Match</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="72" />
        <source>same phone</source>
        <translation>same phone</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="72" />
        <source>same kana and birthday</source>
        <translation>same kana and birthday</translation>
    </message>
</context>
<context>
    <name>SyncHealthPanel</name>
    <message>
        <location filename="../../ui/manager/window.py" line="24" />
        <source>Not connected to HQ yet</source>
        <translation>Not connected to HQ yet</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="30" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="31" />
        <source>Unsent</source>
        <translation>Unsent</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="32" />
        <source>Last sync</source>
        <translation>Last sync</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="33" />
        <source>Last error</source>
        <translation>Last error</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="36" />
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="36" />
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <location filename="../../ui/texts.py" line="27" />
        <source>Wrong staff number or PIN.</source>
        <translation>Wrong staff number or PIN.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="28" />
        <source>Too many wrong PINs: this staff number is locked for a while. Ask a manager.</source>
        <translation>Too many wrong PINs: this staff number is locked for a while. Ask a manager.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="29" />
        <source>There is no staff member with this number.</source>
        <translation>There is no staff member with this number.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="30" />
        <source>Only a store manager may do this.</source>
        <translation>Only a store manager may do this.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="31" />
        <source>A PIN is 4 to 8 digits.</source>
        <translation>A PIN is 4 to 8 digits.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="32" />
        <source>Please enter a name.</source>
        <translation>Please enter a name.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="33" />
        <source>The first staff member must be a manager.</source>
        <translation>The first staff member must be a manager.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="34" />
        <source>A store id is letters and digits, e.g. S001.</source>
        <translation>A store id is letters and digits, e.g. S001.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="35" />
        <source>This database already belongs to another store.</source>
        <translation>This database already belongs to another store.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="36" />
        <source>This store is not set up yet.</source>
        <translation>This store is not set up yet.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="37" />
        <source>This computer has no OS keyring, so keys cannot be kept safely.</source>
        <translation>This computer has no OS keyring, so keys cannot be kept safely.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="38" />
        <source>The key file can be read by other users; restrict it (chmod 600).</source>
        <translation>The key file can be read by other users; restrict it (chmod 600).</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="40" />
        <source>Nothing was read.</source>
        <translation>Nothing was read.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="41" />
        <source>This is not a member card.</source>
        <translation>This is not a member card.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="42" />
        <source>The member code was read only in part. Please scan again.</source>
        <translation>The member code was read only in part. Please scan again.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="43" />
        <location filename="../../ui/texts.py" line="44" />
        <source>This member code is not genuine (damaged or altered).</source>
        <translation>This member code is not genuine (damaged or altered).</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="45" />
        <source>This member code was issued by a store this terminal does not know yet.</source>
        <translation>This member code was issued by a store this terminal does not know yet.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="46" />
        <source>This member card was replaced by a newer one; ask for the new card.</source>
        <translation>This member card was replaced by a newer one; ask for the new card.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="47" />
        <source>No member has this number or card.</source>
        <translation>No member has this number or card.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="48" />
        <source>No such member.</source>
        <translation>No such member.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="49" />
        <source>This member's data was deleted at their request.</source>
        <translation>This member's data was deleted at their request.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="50" />
        <source>This member has no active member card.</source>
        <translation>This member has no active member card.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="51" />
        <source>The signing key for this card is not on this computer.</source>
        <translation>The signing key for this card is not on this computer.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="52" />
        <source>Name kana must be written in kana.</source>
        <translation>Name kana must be written in kana.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="53" />
        <source>That phone number does not look right (10 or 11 digits, starting with 0).</source>
        <translation>That phone number does not look right (10 or 11 digits, starting with 0).</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="54" />
        <source>That e-mail address does not look right.</source>
        <translation>That e-mail address does not look right.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="55" />
        <source>That birthday is not a real date.</source>
        <translation>That birthday is not a real date.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="57" />
        <source>Please enter a whole number.</source>
        <translation>Please enter a whole number.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="58" />
        <source>That number is out of range.</source>
        <translation>That number is out of range.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="59" />
        <source>Not enough points.</source>
        <translation>Not enough points.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="60" />
        <source>That is below the minimum number of points that can be used.</source>
        <translation>That is below the minimum number of points that can be used.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="61" />
        <source>Points can only be used in the allowed units.</source>
        <translation>Points can only be used in the allowed units.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="62" />
        <source>That is more points than this bill allows.</source>
        <translation>That is more points than this bill allows.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="63" />
        <source>This action was already done with different details.</source>
        <translation>This action was already done with different details.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="64" />
        <source>The time allowed to void has passed; ask a manager.</source>
        <translation>The time allowed to void has passed; ask a manager.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="65" />
        <source>This was already voided.</source>
        <translation>This was already voided.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="66" />
        <source>A void cannot itself be voided.</source>
        <translation>A void cannot itself be voided.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="67" />
        <source>This entry cannot be voided.</source>
        <translation>This entry cannot be voided.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="68" />
        <source>Only the store that made an entry can void it.</source>
        <translation>Only the store that made an entry can void it.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="69" />
        <source>Points from this entry were already used; void the redemption first.</source>
        <translation>Points from this entry were already used; void the redemption first.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="70" />
        <source>There is nothing to void.</source>
        <translation>There is nothing to void.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="71" />
        <source>HQ refused this entry and its points were already taken back; there is nothing left to void.</source>
        <translation>HQ refused this entry and its points were already taken back; there is nothing left to void.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="73" />
        <source>This coupon was already used.</source>
        <translation>This coupon was already used.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="74" />
        <source>This coupon has expired.</source>
        <translation>This coupon has expired.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="75" />
        <source>No such coupon.</source>
        <translation>No such coupon.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="76" />
        <source>No such entry.</source>
        <translation>No such entry.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="78" />
        <source>Offline, at most %1 pt a day can be used per member; %2 pt remain today.</source>
        <translation>Offline, at most %1 pt a day can be used per member; %2 pt remain today.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="82" />
        <source>HQ could not be reached. Check the network and try again.</source>
        <translation>HQ could not be reached. Check the network and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="84" />
        <source>HQ's certificate has expired. Ask HQ's administrator to renew it.</source>
        <translation>HQ's certificate has expired. Ask HQ's administrator to renew it.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="85" />
        <source>HQ's certificate is for another address. Check the HQ address in Settings.</source>
        <translation>HQ's certificate is for another address. Check the HQ address in Settings.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="86" />
        <source>HQ's certificate is not from an authority this computer trusts. Ask HQ's administrator.</source>
        <translation>HQ's certificate is not from an authority this computer trusts. Ask HQ's administrator.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="88" />
        <source>HQ does not offer a secure enough connection (TLS 1.2 or newer).</source>
        <translation>HQ does not offer a secure enough connection (TLS 1.2 or newer).</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="89" />
        <source>The secure connection to HQ failed.</source>
        <translation>The secure connection to HQ failed.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="90" />
        <source>This store is not connected to HQ yet (Settings → HQ).</source>
        <translation>This store is not connected to HQ yet (Settings → HQ).</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="91" />
        <source>Another sync is already running for this store.</source>
        <translation>Another sync is already running for this store.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="92" />
        <source>HQ is busy; it will be tried again shortly.</source>
        <translation>HQ is busy; it will be tried again shortly.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="93" />
        <source>HQ's answer could not be read (is something else answering at HQ's address?). Sync will try again.</source>
        <translation>HQ's answer could not be read (is something else answering at HQ's address?). Sync will try again.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="95" />
        <source>This computer's date and time are wrong, so HQ refuses its sync. Set them; sync goes on by itself.</source>
        <translation>This computer's date and time are wrong, so HQ refuses its sync. Set them; sync goes on by itself.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="102" />
        <source>The database is busy. Press Enter to try again.</source>
        <translation>The database is busy. Press Enter to try again.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="105" />
        <source>Something went wrong: %1</source>
        <translation>Something went wrong: %1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="111" />
        <source>The printer did not respond: %1</source>
        <translation>The printer did not respond: %1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="115" />
        <source>Points earned</source>
        <translation>Points earned</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="116" />
        <source>Points used</source>
        <translation>Points used</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="117" />
        <source>Void</source>
        <translation>Void</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="118" />
        <source>Adjustment</source>
        <translation>Adjustment</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="119" />
        <source>Coupon used</source>
        <translation>Coupon used</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="120" />
        <source>Expired</source>
        <translation>Expired</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="121" />
        <source>Paper card migrated</source>
        <translation>Paper card migrated</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="131" />
        <source>Base points: %1</source>
        <translation>Base points: %1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="133" />
        <source>Campaign %1 %2: %3</source>
        <translation>Campaign %1 %2: %3</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="136" />
        <source>Tier %1 %2: %3</source>
        <translation>Tier %1 %2: %3</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="139" />
        <source>Fractions rounded down</source>
        <translation>Fractions rounded down</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="141" />
        <source>Bonus %1: %2</source>
        <translation>Bonus %1: %2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="143" />
        <source>Coupon %1: %2</source>
        <translation>Coupon %1: %2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="145" />
        <source>Points used: %1</source>
        <translation>Points used: %1</translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="339" />
        <source>Void the last action</source>
        <translation>Void the last action</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="341" />
        <source>Looking for the last action…</source>
        <translation>Looking for the last action…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="360" />
        <source>There is nothing to void.</source>
        <translation>There is nothing to void.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="363" />
        <source>%1 of %2 for member %3 at %4</source>
        <translation>%1 of %2 for member %3 at %4</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="371" />
        <source>Press Enter to void it.</source>
        <translation>Press Enter to void it.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="384" />
        <source>Voided. New balance: %1</source>
        <translation>Voided. New balance: %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="386" />
        <source>The paper card migration is cancelled: the card can be migrated again.</source>
        <translation>The paper card migration is cancelled: the card can be migrated again.</translation>
    </message>
</context>
<context>
    <name>w</name>
    <message>
        <location filename="../../ui/settings.py" line="36" />
        <source>This computer has no OS keyring, so the HQ credential cannot be kept safely. Install or unlock a keyring (GNOME Keyring, Windows Credential Locker, macOS Keychain) and try again. Nothing was sent.</source>
        <translation>This computer has no OS keyring, so the HQ credential cannot be kept safely. Install or unlock a keyring (GNOME Keyring, Windows Credential Locker, macOS Keychain) and try again. Nothing was sent.</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="42" />
        <source>HQ refused the code: it is wrong, already used or expired. Ask HQ for a new one-time code.</source>
        <translation>HQ refused the code: it is wrong, already used or expired. Ask HQ for a new one-time code.</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="44" />
        <source>HQ refused the connection (%1).</source>
        <translation>HQ refused the connection (%1).</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="46" />
        <source>Something answered at this address, but not as HQ does. Check the address, then try again.</source>
        <translation>Something answered at this address, but not as HQ does. Check the address, then try again.</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="48" />
        <source>HQ could not be reached at this address. Check the address and the network, then try again. The counter keeps working offline.</source>
        <translation>HQ could not be reached at this address. Check the address and the network, then try again. The counter keeps working offline.</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="51" />
        <source>This store is not set up yet.</source>
        <translation>This store is not set up yet.</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="53" />
        <source>This is not an HQ address. Use https://… (plain http only to this computer).</source>
        <translation>This is not an HQ address. Use https://… (plain http only to this computer).</translation>
    </message>
</context>
</TS>